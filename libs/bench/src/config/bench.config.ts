import { z } from 'zod';
import { configFields, loadConfig } from '@o2o/config';

/**
 * Settings of the benchmark CLIs. Every flag `--some-name=value` is the same setting as the
 * environment variable `BENCH_SOME_NAME`, so CI can pin a run without editing a command line.
 * This is the only file of the lib that reads process.env (the lint rule allows config/).
 */
const loopbackHost = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

export const benchConfigSchema = z.object({
  /** auto: saturation phase, then a fixed-rate phase at BENCH_RATE_FRACTION of it; max: saturation only; rate: fixed rate only. */
  BENCH_MODE: z.enum(['auto', 'max', 'rate']).default('auto'),
  /** Offered events per second in rate mode (auto mode derives it from the measured maximum). */
  BENCH_RATE: z.coerce.number().positive().default(200),
  BENCH_RATE_FRACTION: z.coerce.number().positive().max(1).default(0.5),
  /** Seconds of load per phase. */
  BENCH_DURATION: z.coerce.number().int().min(5).max(600).default(25),
  BENCH_WARMUP: z.coerce.number().int().min(0).max(120).default(5),
  /** Seconds with no load before the first phase, to measure each process's idle CPU (the cost table's "net" column); 0: not measured. */
  BENCH_IDLE_BASELINE: z.coerce.number().int().min(0).max(60).default(5),
  /** Synthetic customers. */
  BENCH_POPULATION: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  /** Events accepted but not yet through the pipeline the max mode keeps in flight (closed loop). */
  BENCH_MAX_BACKLOG: z.coerce.number().int().min(100).default(1000),
  /** Events per /v1/batch request (Segment SDKs flush at 15-100). */
  BENCH_HTTP_BATCH: z.coerce.number().int().min(1).max(500).default(50),
  BENCH_HTTP_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Partitions of every bench topic (the services' KAFKA_TOPIC_PARTITIONS default). */
  BENCH_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
  BENCH_CEILING: configFields.booleanFlag.default(true),
  BENCH_CEILING_DURATION: z.coerce.number().int().min(5).max(300).default(15),
  /** The database ceiling: the pipeline's minimal writes (one idempotent upsert per event per stage) against the same server. */
  BENCH_DB_CEILING: configFields.booleanFlag.default(true),
  /** Longest wait for the pipeline to drain after a phase. */
  BENCH_DRAIN_TIMEOUT: z.coerce.number().int().min(5).max(600).default(30),
  /** Services to run under `node --cpu-prof`: one name, a comma-separated list, or `all` (profiles in bench-results/profiles/<run>/<service>). */
  BENCH_PROFILE: z.string().optional(),
  /** KAFKA_PARTITIONS_CONCURRENCY of every service (partition batches one consumer gathers per fetch); unset: the services' default. */
  BENCH_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
  /** Comma-separated services to start (default all five), to measure a prefix of the pipeline alone. */
  BENCH_SERVICES: z.string().optional(),
  BENCH_KEEP_TOPICS: configFields.booleanFlag.default(false),
  BENCH_SEED: z.coerce.number().int().default(42),
  /** Offset/high-watermark sampling period; completion times are known to this resolution. */
  BENCH_SAMPLE_MS: z.coerce.number().int().min(50).max(2000).default(200),
  /**
   * Seconds between scrapes of each service's /metrics, as Prometheus would (15-30 s in practice).
   * Every scrape costs the service CPU (prom-client's default metrics), so a shorter period adds
   * to the cost per event being measured; the cost windows also scrape at their own start and end.
   */
  BENCH_SCRAPE_INTERVAL: z.coerce.number().min(0.2).max(300).default(15),
  /** bench-ingestion: a running ingestion to target instead of starting one. */
  INGESTION_URL: z.string().url().optional(),
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(32),
  KAFKA_BROKERS: z.string().optional(),
  MONGO_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
});
export type BenchConfig = z.infer<typeof benchConfigSchema>;

/** A command line the bench CLIs cannot take: reported in one line, exit status 2. */
export class BenchFlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFlagError';
  }
}

/** The flag of a setting: BENCH_SOME_NAME is --some-name, INGESTION_URL --ingestion-url. */
function flagOf(variable: string): string {
  return `--${variable
    .replace(/^BENCH_/, '')
    .toLowerCase()
    .replace(/_/g, '-')}`;
}

/** One line per setting: its flag, its environment variable and its default (from the schema itself). */
export function benchUsage(): string {
  const lines = Object.entries(benchConfigSchema.shape).map(([variable, field]) => {
    const def = (field as { def?: { type?: string; defaultValue?: unknown } }).def;
    const fallback = def?.type === 'default' ? `default ${JSON.stringify(def.defaultValue)}` : 'optional';
    const flag = variable.startsWith('BENCH_') || variable === 'INGESTION_URL' ? `${flagOf(variable)}=…` : '(environment only)';
    return `  ${flag.padEnd(30)} ${variable.padEnd(28)} ${fallback}`;
  });
  return `Flags (or the environment variables beside them); --no-<flag> turns a boolean off:\n${lines.join('\n')}\n`;
}

/** Parses `--name=value` / `--name value` / `--flag` / `--no-flag` into BENCH_* variables. */
export function flagsToEnvironment(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === undefined || !arg.startsWith('--'))
      throw new BenchFlagError(`unexpected argument "${String(arg)}" (flags look like --rate=200)`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!rawName) throw new BenchFlagError(`bad flag "${arg}"`);
    let name = rawName;
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (name.startsWith('no-')) {
        name = name.slice(3);
        value = 'false';
      } else if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      } else value = 'true';
    }
    const variable = name === 'ingestion-url' ? 'INGESTION_URL' : `BENCH_${name.toUpperCase().replace(/-/g, '_')}`;
    if (!(variable in benchConfigSchema.shape)) throw new BenchFlagError(`unknown flag --${name} (--help lists them)`);
    out[variable] = value;
  }
  return out;
}

export function loadBenchConfig(argv: readonly string[] = process.argv.slice(2)): BenchConfig {
  const config = loadConfig(benchConfigSchema, { ...process.env, ...flagsToEnvironment(argv) });
  for (const [name, url] of Object.entries({
    KAFKA_BROKERS: config.KAFKA_BROKERS,
    MONGO_URL: config.MONGO_URL,
    REDIS_URL: config.REDIS_URL,
    INGESTION_URL: config.INGESTION_URL,
  })) {
    if (url !== undefined) assertLoopback(name, url);
  }
  return config;
}

/**
 * The benchmark only ever talks to this machine: load generated against a shared cluster by
 * mistake would be an incident, not a measurement.
 */
function assertLoopback(name: string, value: string): void {
  for (const entry of value.split(',')) {
    const trimmed = entry.trim();
    const host = /^[a-z+]+:\/\//.test(trimmed) ? new URL(trimmed).host : trimmed;
    if (!loopbackHost.test(host)) throw new Error(`${name}=${value}: the benchmark sends traffic to 127.0.0.1 only`);
  }
}

/** Environment the service processes inherit: this one without tracing exporters (spans would be exported per event). */
export function inheritedEnvironment(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('OTEL_') || key.startsWith('BENCH_') || key === 'NODE_OPTIONS') continue;
    out[key] = value;
  }
  return out;
}

/** The services BENCH_PROFILE names, refusing a name that is not one of them (a typo would silently profile nothing). */
export function profiledServices(setting: string | undefined, services: readonly string[]): string[] {
  if (setting === undefined || setting.trim() === '') return [];
  const names = setting
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (names.includes('all')) return [...services];
  const unknown = names.filter((n) => !services.includes(n));
  if (unknown.length > 0)
    throw new Error(`--profile=${setting}: unknown service ${unknown.join(', ')} (one of ${services.join(', ')}, or all)`);
  return names;
}
