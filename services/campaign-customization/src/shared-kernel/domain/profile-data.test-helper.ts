import type { ResolvedEventDataV1, ValueScoredDataV1 } from '@o2o/contracts';

/** A resolved web track event as identity-resolution publishes it, for the profile kernel's tests. */
export const resolvedEvent = (customerId: string, over: Partial<ResolvedEventDataV1> = {}): ResolvedEventDataV1 => ({
  messageId: 'm1',
  sourceId: 's',
  channel: 'web',
  eventType: 'track',
  timestamp: '2024-06-15T10:00:00Z',
  receivedAt: '2024-06-15T10:00:01Z',
  customerId,
  identifiers: [],
  ...over,
});

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
