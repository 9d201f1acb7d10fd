import type { CustomerDocument, IdentifierDocument } from '../ports/identity-graph.records';

/** The identity graph as an explanation reads it (IdentityGraphRepository in the service). */
export abstract class ExplainGraph {
  /** The customer an id stands for now, following merges; undefined when unknown. */
  abstract currentCustomer(id: string): Promise<CustomerDocument | undefined>;
  /** The customers merged directly into this one, by id. */
  abstract customersMergedInto(customerId: string): Promise<CustomerDocument[]>;
  /** The customer's identifiers with the evidence that linked each, oldest first. */
  abstract identifiersWithEvidence(customerId: string): Promise<IdentifierDocument[]>;
}
