import type { CustomerValue } from '../../domain';

/**
 * The latest value state per customer, as value-scoring last published it. An abstract class so
 * that it is also the Nest injection token; `CustomerValueStore` implements it on MongoDB.
 */
export abstract class CustomerValues {
  abstract find(ids: readonly string[]): Promise<Map<string, CustomerValue>>;
  /** Stores each state unless a newer one is held; returns the customers whose state was written. */
  abstract upsertNewer(values: ReadonlyArray<{ customerId: string; value: CustomerValue }>): Promise<string[]>;
  /** Forgets these customers' states; returns how many were held. */
  abstract remove(ids: readonly string[]): Promise<number>;
}
