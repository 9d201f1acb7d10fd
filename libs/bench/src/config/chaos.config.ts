import { z } from 'zod';
import { configFields, loadConfig } from '@o2o/config';

/**
 * Settings of `npm run chaos` (deploy/local/chaos.sh sets the servers and the private server
 * home). The short form (CHAOS_SHORT, on in CI) runs fewer scenarios for less time.
 */
export const chaosConfigSchema = z.object({
  /** Comma-separated scenarios (default: all for the full form, a few for the short one). */
  CHAOS_SCENARIOS: z.string().optional(),
  CHAOS_SHORT: configFields.booleanFlag.default(false),
  /** Offered events per second during each scenario's load. */
  CHAOS_RATE: z.coerce.number().positive().default(30),
  /** Seconds of load per scenario (short form: half). */
  CHAOS_LOAD_SECONDS: z.coerce.number().int().min(10).max(600).default(60),
  /** Seconds into the load at which the fault is injected. */
  CHAOS_FAULT_AT: z.coerce.number().int().min(1).default(8),
  /** How long a stopped server stays down: FerretDB this long (and four times in ferretdb-stopped-long), Redis twice (the 30 s, 120 s and 60 s). */
  CHAOS_OUTAGE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** How long a killed service stays down before it is started again. */
  CHAOS_RESTART_AFTER: z.coerce.number().int().min(0).max(120).default(5),
  CHAOS_DRAIN_TIMEOUT: z.coerce.number().int().min(10).max(1200).default(240),
  CHAOS_POPULATION: z.coerce.number().int().min(10).default(300),
  CHAOS_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
  CHAOS_SEED: z.coerce.number().int().default(21),
  /** Keep every scenario's service output (bench-results/chaos-logs/), not only a failed one's: to read what a passing run did. */
  CHAOS_KEEP_LOGS: configFields.booleanFlag.default(false),
  /** Where to write the results JSON (default bench-results/). */
  CHAOS_RESULTS_DIR: z.string().optional(),
  /** Toxiproxy's HTTP API (set by chaos.sh when a latency or dropped-connection scenario runs): the services then reach MongoDB and Kafka through it. */
  CHAOS_TOXIPROXY_URL: z.string().url().optional(),
  /** Where Toxiproxy listens for MongoDB (forwarding to MONGO_PORT). */
  CHAOS_MONGO_PROXY_PORT: z.coerce.number().int().min(1).max(65535).default(27118),
  /** Where Toxiproxy listens for Kafka: the port the broker's second listener advertises (KAFKA_PROXIED_ADVERTISED_PORT). */
  CHAOS_KAFKA_PROXY_PORT: z.coerce.number().int().min(1).max(65535).default(19095),
  /** The broker's second listener, which the Kafka proxy forwards to. */
  KAFKA_PROXIED_PORT: z.string().optional(),
  KAFKA_PROXIED_ADVERTISED_PORT: z.string().optional(),
  /** The latency the latency scenarios add to every answer (the 300 ms). */
  CHAOS_LATENCY_MS: z.coerce.number().int().min(0).max(60000).default(300),
  KAFKA_BROKERS: z.string().min(1),
  MONGO_URL: z.string().min(1),
  REDIS_URL: z.string().min(1),
  /** The private server home whose FerretDB and Redis the scenarios stop and start (never the shared one). */
  LOCAL_SERVERS_HOME: z.string().min(1),
  LOCAL_SERVERS_CACHE: z.string().optional(),
  KAFKA_PORT: z.string().optional(),
  KAFKA_CONTROLLER_PORT: z.string().optional(),
  MONGO_PORT: z.string().optional(),
  REDIS_PORT: z.string().optional(),
});
export type ChaosConfig = z.infer<typeof chaosConfigSchema>;

export function loadChaosConfig(): ChaosConfig {
  return loadConfig(chaosConfigSchema, process.env);
}

/** What the services inherit from the chaos process (PATH, HOME, NODE_OPTIONS...), not its settings. */
export function chaosInheritedEnvironment(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('CHAOS_') && !k.startsWith('KAFKA_') && !k.startsWith('MONGO_') && !k.startsWith('REDIS_'))
      out[k] = v;
  return out;
}
