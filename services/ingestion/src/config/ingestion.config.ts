import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

export const ingestionConfigSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3000),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('ingestion'),
  KAFKA_GROUP_ID: z.string().default('ingestion'),
  /** How long a messageId is remembered per source to drop duplicates (Segment: 24 h). */
  DEDUP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86400),
  /** Creates the demo sources (one per channel, well-known write keys) at boot. Never in production. */
  INGESTION_DEMO_SOURCES: configFields.booleanFlag.default(false),
});

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

export function loadIngestionConfig(env: Env = process.env): IngestionConfig {
  return loadConfig(ingestionConfigSchema, env);
}
