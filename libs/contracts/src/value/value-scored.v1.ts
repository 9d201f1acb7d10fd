import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

export const valueTiers = ['A', 'B', 'C', 'D'] as const;
export const valueTierSchema = z.enum(valueTiers);
export type ValueTier = z.infer<typeof valueTierSchema>;

/** Full value state of one customer (compacted topic keyed by customerId). */
export const valueScoredDataV1 = z.object({
  customerId: z.string().min(1),
  /** Expected value over the model horizon, discounted, in the account currency. */
  actualValue: z.number().finite(),
  /** Growth potential not yet captured. */
  strategicValue: z.number().finite(),
  tier: valueTierSchema,
  previousTier: valueTierSchema.optional(),
  /** Probability the customer is still active (BG/NBD), in [0, 1]. */
  probabilityAlive: z.number().min(0).max(1).optional(),
  /** Expected number of purchases over the horizon. */
  expectedPurchases: z.number().min(0).optional(),
  /** Purchase summary the scores derive from. */
  purchases: z.number().int().min(0),
  revenue: z.number().finite(),
  lastPurchaseAt: z.iso.datetime({ offset: true }).optional(),
  firstPurchaseAt: z.iso.datetime({ offset: true }).optional(),
  currency: z.string().length(3),
  /** Identifier of the fitted model parameters used. */
  modelVersion: z.string(),
  /** Human-readable reasons for the scores and tier. */
  reasons: z.array(z.string()),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type ValueScoredDataV1 = z.infer<typeof valueScoredDataV1>;
export const valueScoredV1 = envelopeOf('customer.value-scored', 1, valueScoredDataV1);
