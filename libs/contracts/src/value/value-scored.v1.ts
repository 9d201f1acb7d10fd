import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

export const valueTiers = ['A', 'B', 'C', 'D'] as const;
export const valueTierSchema = z.enum(valueTiers);
export type ValueTier = z.infer<typeof valueTierSchema>;

/** Full value state of one customer (compacted topic keyed by customerId). */
export const valueScoredDataV1 = z
  .object({
    customerId: z.string().min(1).describe('The customer (also the Kafka key).'),
    /** Expected margin over the model horizon (revenue minus cost to serve), discounted, in the account currency; below zero for customers who cost more than they bring. */
    actualValue: z
      .number()
      .finite()
      .describe(
        'Expected margin over the model horizon (revenue minus cost to serve), discounted, in the account currency; below zero for customers who cost more than they bring.',
      ),
    /** Revenue part of actual value, before costs (what actualValue was before costs were counted). */
    grossValue: z.number().finite().optional().describe('Revenue part of actual value, before the cost to serve.'),
    /** Cost to serve over the same horizon: orders, returns, service calls, contacts and the yearly cost per customer. */
    costToServe: z
      .number()
      .min(0)
      .optional()
      .describe('Cost to serve over the same horizon (orders, returns, service calls, contacts, yearly cost per customer).'),
    /** Growth potential not yet captured. */
    strategicValue: z.number().finite().describe('Growth potential not yet captured, in the account currency.'),
    tier: valueTierSchema.describe('Value tier: A (most valuable) to D; every customer below zero is D.'),
    previousTier: valueTierSchema.optional().describe('Tier before this change, when it changed.'),
    /** Probability the customer is still active (BG/NBD), in [0, 1]. */
    probabilityAlive: z.number().min(0).max(1).optional().describe('Probability the customer is still active (BG/NBD), in [0, 1].'),
    /** Expected number of purchases over the horizon. */
    expectedPurchases: z.number().min(0).optional().describe('Expected number of purchases over the horizon.'),
    /** Purchase summary the scores derive from. */
    purchases: z.number().int().min(0).describe('Number of purchases the scores derive from.'),
    revenue: z.number().finite().describe('Revenue of those purchases, in the account currency.'),
    lastPurchaseAt: z.iso.datetime({ offset: true }).optional().describe('Time of the last purchase.'),
    firstPurchaseAt: z.iso.datetime({ offset: true }).optional().describe('Time of the first purchase.'),
    currency: z.string().length(3).describe('ISO 4217 code of the account currency.'),
    /** Identifier of the fitted model parameters used. */
    modelVersion: z.string().describe('Identifier of the fitted model parameters used.'),
    /** Human-readable reasons for the scores and tier. */
    reasons: z.array(z.string()).describe('Human-readable reasons for the scores and tier.'),
    updatedAt: z.iso.datetime({ offset: true }).describe('When the scores were computed.'),
  })
  .describe('Full value state of one customer.');
export type ValueScoredDataV1 = z.infer<typeof valueScoredDataV1>;
export const valueScoredV1 = envelopeOf('customer.value-scored', 1, valueScoredDataV1);
