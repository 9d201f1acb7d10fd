import type { CustomerDocument, CustomerSnapshot, IdentifierDocument } from '../ports/identity-graph.records';

/** The identity graph as a lookup that missed the cache reads it (IdentityGraphRepository in the service). */
export abstract class LookupGraph {
  /** Identifier documents with the given type and value (several for a non-unique type). */
  abstract identifierDocuments(type: string, value: string, unique: boolean): Promise<IdentifierDocument[]>;
  /** The customer an id stands for now, following merges; undefined when unknown. */
  abstract currentCustomer(id: string): Promise<CustomerDocument | undefined>;
  abstract snapshotsOf(customerIds: readonly string[]): Promise<ReadonlyMap<string, CustomerSnapshot>>;
}
