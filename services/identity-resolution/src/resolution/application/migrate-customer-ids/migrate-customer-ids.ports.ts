import type { PlannedMerge } from '../../domain/identity-graph.model';
import type { CustomerDocument, IdentifierDocument } from '../ports/identity-graph.records';

/** The identity graph as the id migration reads and writes it (IdentityGraphRepository in the service). */
export abstract class MigrationGraph {
  /** Customers merged away by `rule` whose merge was not published yet. */
  abstract unannouncedMergesBy(rule: string): Promise<PlannedMerge[]>;
  /** Customers not merged into another, in _id order after `after`. */
  abstract standingCustomers(after: string, limit: number): Promise<CustomerDocument[]>;
  /** The identifiers customers own now. */
  abstract identifiersOfCustomers(customerIds: readonly string[]): Promise<IdentifierDocument[]>;
  /** The new id takes over the customer's whole state; the old id becomes a merge into it, written unannounced. */
  abstract renameCustomer(old: CustomerDocument, merge: PlannedMerge): Promise<void>;
  /** Raises the outbox flag of merges Kafka acknowledged. */
  abstract markAnnounced(mergedIds: readonly string[]): Promise<void>;
}
