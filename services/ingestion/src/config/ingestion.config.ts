import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

export const ingestionConfigSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3000),
  /** The management listener: health and metrics, apart from the authenticated API. */
  MANAGEMENT_PORT: configFields.listenPort.default(3100),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('ingestion'),
  KAFKA_GROUP_ID: z.string().default('ingestion'),
  /** How long a messageId is remembered per source to drop duplicates (Segment: 24 h). */
  DEDUP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86400),
  /** Events per second each source may send (token bucket refilled every second, shared by all instances through Redis). */
  RATE_LIMIT_EVENTS_PER_SECOND: z.coerce.number().int().min(1).default(5000),
  /** Largest decompressed/compressed size ratio of a gzip or deflate request body (JSON batches compress 5-20x). */
  MAX_COMPRESSION_RATIO: z.coerce.number().int().min(2).default(100),
  /** Longest wait for Kafka's acknowledgement before answering 503. */
  PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  /**
   * Kafka transactional id of this instance (unique per instance, stable across its restarts);
   * unset: the topic prefix, `ingestion:`, the host name and HTTP_PORT.
   */
  INGESTION_TRANSACTIONAL_ID: z.string().min(1).optional(),
  /** How long the broker keeps a transaction of an instance that died open before aborting it (readers wait behind it meanwhile). */
  INGESTION_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30000),
  /** Group commit window: the next transaction begins this long after the previous one ended, with every request made meanwhile. */
  INGESTION_TRANSACTION_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
  /** Call types and track event names that must state a purpose (context.purpose); empty: none. */
  PURPOSE_REQUIRED_FOR: z
    .string()
    .default('')
    .transform(
      (s) =>
        new Set(
          s
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean),
        ),
    ),
  /** Purposes a call may state. */
  PURPOSES: z
    .string()
    .default('service,analytics,profiling,personalisation,marketing,email-marketing,sms-marketing,phone-marketing,data-sharing,contact')
    .transform(
      (s) =>
        new Set(
          s
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean),
        ),
    ),
  /** Creates the demo sources (one per channel, well-known write keys) at boot. Never in production. */
  INGESTION_DEMO_SOURCES: configFields.booleanFlag.default(false),
});

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

export function loadIngestionConfig(env: Env = process.env): IngestionConfig {
  return loadConfig(ingestionConfigSchema, env);
}
