/**
 * Finds the customer owning an identifier (normalised as the lookup API does), with the ids
 * merged into it (GraphCustomerLookup in the service). An abstract class so it doubles as the
 * Nest injection token.
 */
export abstract class CustomerLookup {
  abstract find(type: string, value: string): Promise<{ customerId: string; mergedIds: string[] } | null>;
}
