import type { CustomerState } from '../../profiles/domain/customer-state';

/**
 * The personal data this service holds of customers, as access and erasure reach it
 * (CampaignPersonalDataStore in the service: the projection, the identifier index, offers and
 * outcomes in MongoDB, the contact caps and decision snapshots in Redis). An abstract class so it
 * doubles as the Nest injection token; unit tests pass plain fakes.
 */
export abstract class CampaignPersonalData {
  /** Everything held of the customers, as the data export shows it. */
  abstract exportData(customerIds: string[]): Promise<Record<string, unknown>>;
  /** The stored states of the customers (merged-away ones included). */
  abstract states(customerIds: string[]): Promise<CustomerState[]>;
  /** Deletes everything held of the customers (and of those merged into them); what was deleted, per store. */
  abstract erase(customerIds: string[]): Promise<Record<string, number>>;
}
