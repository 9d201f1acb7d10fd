/** Finds the customer owning an identifier (normalised as the lookup API does), with the ids merged into it. */
export interface CustomerLookup {
  find(type: string, value: string): Promise<{ customerId: string; mergedIds: string[] } | null>;
}

export const CUSTOMER_LOOKUP = Symbol('CUSTOMER_LOOKUP');
