import type { CustomerDocument, CustomerSnapshot, SplitOutboxEntry } from '../ports/identity-graph.records';

/** A customer split off: its id, itself and everything merged into it, and the cluster members it takes. */
export interface DetachedPart {
  readonly id: string;
  readonly subtree: readonly string[];
  readonly members: readonly string[];
}

/** The identity graph as a split reads and writes it (IdentityGraphRepository in the service). */
export abstract class SplitGraph {
  /** The customer an id stands for now, following merges; undefined when unknown. */
  abstract currentCustomer(id: string): Promise<CustomerDocument | undefined>;
  /** The customers merged directly into this one, by id. */
  abstract customersMergedInto(customerId: string): Promise<CustomerDocument[]>;
  /**
   * Undoes merges into a customer: each part gets back the identifiers that came from it, both
   * sides remember the split, and the split's event goes into the customer's outbox in the same write.
   */
  abstract detach(customer: CustomerDocument, parts: readonly DetachedPart[], split: SplitOutboxEntry): Promise<void>;
  abstract snapshotsOf(customerIds: readonly string[]): Promise<ReadonlyMap<string, CustomerSnapshot>>;
  /** Takes published splits out of their customers' outboxes. */
  abstract markSplitsAnnounced(splits: ReadonlyArray<{ customerId: string; split: SplitOutboxEntry }>): Promise<void>;
}
