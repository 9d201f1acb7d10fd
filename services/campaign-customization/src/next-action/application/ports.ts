import type { VersionedSnapshot } from '../infrastructure/customer.lookup';

// What next-action's use cases need from the outside. Abstract classes are also Nest injection
// tokens: next-action.module binds each to its infrastructure, unit tests pass plain fakes.

/** Identifier -> customer -> decision snapshot (CustomerLookup in the service). */
export abstract class CustomerSnapshots {
  /** The customer an identifier belongs to ("customerId" is accepted as a type); undefined when unknown. */
  abstract resolve(type: string, rawValue: string): Promise<string | undefined>;
  /** The customer's snapshot and those it was merged into, in order; undefined when unknown. */
  abstract chain(customerId: string, fromMongo?: boolean): Promise<VersionedSnapshot[] | undefined>;
}

/** Contacts made, for the customer screen (ContactCounterStore in the service). */
export abstract class ContactHistory {
  abstract history(
    customerId: string,
    needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>,
    campaignIds: readonly string[],
    now: Date,
    latest: number,
  ): Promise<{ counts: Map<string, number>; contacts: Array<{ contactId: string; at: string; campaignId?: string }> }>;
}
