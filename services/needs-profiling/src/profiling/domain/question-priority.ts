import { z } from 'zod';
import type { ValueTier } from '@o2o/contracts';

/**
 * Learning starts with the most valuable customers: the customer's value (from value-scoring's
 * value.scores.v1) weighs the worth of asking them a question, so the published next question's
 * `value` ranks customers for a channel that can ask only so many (an outbound survey, an agent's
 * call list), top tiers and customers with most room to grow first. Which question a customer is
 * asked does not change: every question of one customer gets the same weight.
 */
export const questionPrioritySchema = z.object({
  /** Weight per value tier (A: most valuable). */
  tierWeights: z
    .object({ A: z.number().min(0), B: z.number().min(0), C: z.number().min(0), D: z.number().min(0) })
    .default({ A: 3, B: 2, C: 1, D: 0.5 }),
  /** Weight of a customer value-scoring has not scored yet. */
  unscoredWeight: z.number().min(0).default(1),
  /** Weight of a high-growth customer (strategic value, the room to grow, above the actual value), if above the tier's. */
  growthWeight: z.number().min(0).default(2),
});
export type QuestionPriorityConfig = z.output<typeof questionPrioritySchema>;

/** What needs profiling keeps of the customer's value state (value.scores.v1). */
export interface CustomerValue {
  tier: ValueTier;
  actualValue: number;
  strategicValue: number;
  /** When value-scoring computed it: an older state never replaces a newer one. */
  updatedAt: string;
}

/** The weight of asking this customer: their tier's, raised to the growth weight when their room to grow exceeds what they are worth now. */
export function questionWeight(value: CustomerValue | undefined, config: QuestionPriorityConfig): number {
  if (value === undefined) return config.unscoredWeight;
  const tier = config.tierWeights[value.tier];
  const growing = value.strategicValue > 0 && value.strategicValue > Math.max(value.actualValue, 0);
  return growing ? Math.max(tier, config.growthWeight) : tier;
}
