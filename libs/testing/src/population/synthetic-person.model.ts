import { Locality } from './population-data';

export const CHANNELS = ['web', 'app', 'call-centre', 'store', 'loyalty', 'email', 'dealer'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface SyntheticAddress {
  readonly unit?: string;
  readonly number: string;
  readonly streetName: string;
  /** [full, abbreviated]: "Street", "St". */
  readonly streetType: readonly [string, string];
  readonly locality: Locality;
}

/** One true person, the ground truth behind every record and event the generator emits. */
export interface SyntheticPerson {
  readonly personId: string;
  readonly householdId: string;
  readonly firstName: string;
  /** A short form the person sometimes gives instead of the first name. */
  readonly nickname?: string;
  readonly lastName: string;
  /** ISO yyyy-mm-dd. */
  readonly birthDate: string;
  readonly address: SyntheticAddress;
  /** Where they lived before, for the records that still carry the old address. */
  readonly previousAddress?: SyntheticAddress;
  /** National format, 10 digits. */
  readonly mobile?: string;
  /** Shared by the household. */
  readonly landline?: string;
  readonly email?: string;
  readonly userId?: string;
  readonly crmId?: string;
  readonly loyaltyCard?: string;
  /** Often the household's car. */
  readonly licencePlate?: string;
  readonly nationalId?: string;
  /** Device anonymousIds for web and app. */
  readonly devices: readonly string[];
  readonly channels: readonly Channel[];
  /** Expected orders per year, drawn from a gamma distribution. */
  readonly purchaseRatePerYear: number;
  /** Expected order value in dollars, drawn from a gamma distribution. */
  readonly meanOrderValue: number;
}
