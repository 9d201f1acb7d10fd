import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

export const valueScoringConfigSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3002),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('value_scoring'),
  KAFKA_GROUP_ID: z.string().default('value-scoring'),
  /** Track event names that count as purchases (Segment e-commerce spec: "Order Completed"). */
  PURCHASE_EVENTS: z
    .string()
    .default('Order Completed,Purchase,Product Purchased')
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean)),
  REFUND_EVENTS: z
    .string()
    .default('Order Refunded')
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean)),
  /** Account currency; amounts in other currencies are kept but flagged. */
  VALUE_CURRENCY: z.string().length(3).default('EUR'),
});

export type ValueScoringConfig = z.infer<typeof valueScoringConfigSchema>;

export function loadValueScoringConfig(env: Env = process.env): ValueScoringConfig {
  return loadConfig(valueScoringConfigSchema, env);
}
