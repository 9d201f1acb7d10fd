import type { ValueScoredDataV1 } from '@o2o/contracts';

/** A value state as value-scoring publishes it, for the profile kernel's tests. */
export const valueScored = (customerId: string, tier: 'A' | 'B', updatedAt = '2024-06-15T00:00:00Z'): ValueScoredDataV1 => ({
  customerId,
  actualValue: 10,
  strategicValue: 5,
  tier,
  purchases: 1,
  revenue: 10,
  currency: 'EUR',
  modelVersion: 'm',
  reasons: [],
  updatedAt,
});
