import { z } from 'zod';

/** Raised when the environment does not satisfy a service's schema; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; problem: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment with a zod object schema. Empty strings count as unset so that
 * `FOO=` in a compose file falls back to the default instead of failing obscurely.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) {
    const problems = settingProblems(result.data, cleaned);
    if (problems.length > 0) throw new ConfigError(problems);
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(root)',
      problem: issue.message,
    })),
  );
}

/** The data-key master key (base64 of 32 bytes) a development machine uses when none is set: public, so never for production. */
export const DEVELOPMENT_DATA_KEYS_MASTER_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTMyYmI=';
/** The demo client's secret the services fetch data keys with when none is set (the local provider's public demo-service client). */
export const DEVELOPMENT_DATA_KEYS_CLIENT_SECRET = 'demo-service-demo-secret';

/** Whether a service seals personal data on the event logs: DATA_SEALING, else on everywhere but in tests. */
export function dataSealingOn(config: { NODE_ENV: string; DATA_SEALING?: boolean | undefined }): boolean {
  return config.DATA_SEALING ?? config.NODE_ENV !== 'test';
}

/** The pseudonym key a development machine uses when none is set: public, so never for production. */
export const DEVELOPMENT_PSEUDONYM_KEY = 'development-only-pseudonym-key';

function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Checks across settings, and the secure defaults of production: with NODE_ENV=production a
 * service refuses to start on a secret that is missing or public (the development pseudonym key,
 * the demo write keys) or without its own token issuer, reached over TLS.
 */
function settingProblems(config: unknown, env: Env): Array<{ variable: string; problem: string }> {
  if (config === null || typeof config !== 'object') return [];
  const settings = config as Record<string, unknown>;
  const problems: Array<{ variable: string; problem: string }> = [];
  if (settings['KAFKA_SASL_MECHANISM'] !== undefined) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      if (settings[variable] === undefined) problems.push({ variable, problem: 'required with KAFKA_SASL_MECHANISM' });
    }
  }
  if (settings['NODE_ENV'] !== 'production') return problems;
  if (
    'PRIVACY_PSEUDONYM_KEY' in settings &&
    (env['PRIVACY_PSEUDONYM_KEY'] === undefined || env['PRIVACY_PSEUDONYM_KEY'] === DEVELOPMENT_PSEUDONYM_KEY)
  ) {
    problems.push({ variable: 'PRIVACY_PSEUDONYM_KEY', problem: 'set a secret of your own in production (the default is public)' });
  }
  if ('AUTH_ISSUER' in settings) {
    const issuer = env['AUTH_ISSUER'];
    if (issuer === undefined)
      problems.push({
        variable: 'AUTH_ISSUER',
        problem: 'name your OpenID Connect issuer in production (the default is the local demo provider)',
      });
    else if (!issuer.startsWith('https://') && !isLoopback(issuer))
      problems.push({ variable: 'AUTH_ISSUER', problem: 'use https in production (the signing keys are read from it)' });
  }
  if (settings['DATA_SEALING'] === false) {
    problems.push({ variable: 'DATA_SEALING', problem: 'must be true in production (erasure relies on it to reach the topics)' });
  }
  if ('DATA_KEYS_MASTER_KEY' in settings) {
    // The key store's own service.
    if (env['DATA_KEYS_MASTER_KEY'] === undefined || env['DATA_KEYS_MASTER_KEY'] === DEVELOPMENT_DATA_KEYS_MASTER_KEY) {
      problems.push({
        variable: 'DATA_KEYS_MASTER_KEY',
        problem: 'set a random key of your own in production (32 bytes, base64; the default is public)',
      });
    }
  } else if ('DATA_KEYS_CACHE_SECONDS' in settings) {
    if (env['DATA_KEYS_URL'] === undefined)
      problems.push({ variable: 'DATA_KEYS_URL', problem: "name identity-resolution's API in production (the key store)" });
    if (env['DATA_KEYS_CLIENT_SECRET'] === undefined || env['DATA_KEYS_CLIENT_SECRET'] === DEVELOPMENT_DATA_KEYS_CLIENT_SECRET) {
      problems.push({
        variable: 'DATA_KEYS_CLIENT_SECRET',
        problem: "set the secret of this service's own client in production (the default is the public demo one)",
      });
    }
  }
  if (settings['INGESTION_DEMO_SOURCES'] === true) {
    problems.push({ variable: 'INGESTION_DEMO_SOURCES', problem: 'must be false in production (the demo write keys are public)' });
  }
  return problems;
}

const port = z.coerce.number().int().min(1).max(65535);
/** A port to listen on; 0 lets the system pick a free one (tests). */
const listenPort = z.coerce.number().int().min(0).max(65535);

/** Comma-separated list of host:port pairs. */
export const brokerList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port')).min(1, 'at least one broker'));

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configFields = {
  port,
  listenPort,
  booleanFlag,
  url: (protocols: string[]) =>
    z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `expected a URL with scheme ${protocols.join(' or ')}`,
    ),
};

/**
 * The settings every service shares. Each service extends this object with its own keys in
 * src/config/<service>.config.ts.
 */
export const baseServiceConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * Interface of the management listener (/health/live, /health/ready, /metrics, open to anyone
   * who reaches it); its port is each service's MANAGEMENT_PORT. Keep it off the public network.
   */
  MANAGEMENT_HOST: z.string().default('0.0.0.0'),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().optional(),
  /** Prepended to every topic name; lets tests and tenants share one cluster without crosstalk. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, dot, dash, underscore')
    .default(''),
  KAFKA_GROUP_ID: z.string().optional(),
  KAFKA_FROM_BEGINNING: booleanFlag.default(true),
  /**
   * Partition batches of one fetch a consumer takes at once; those of one topic are combined
   * into one handler call, and calls run one at a time (libs/kafka batch-transport), so order
   * within a partition (one customer) is kept. At least the partitions one instance consumes, so
   * that each fetch is one call per topic.
   */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  /**
   * Most messages in one handler call (a bigger partition batch is sliced, in order): bounds how
   * long a call takes, so that it stays well within the session timeout and a rebalance or a
   * shutdown does not wait minutes. 500 × the slowest measured ~12.5 ms per message ≈ 6 s
   * (docs/performance.md, "Bounded calls").
   */
  KAFKA_BATCH_MAX_MESSAGES: z.coerce.number().int().min(1).max(100000).default(500),
  /** Most bytes (message keys and values) in one handler call, as KAFKA_BATCH_MAX_MESSAGES; binds for bulky messages. */
  KAFKA_BATCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(512 * 1024),
  KAFKA_BATCH_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  /**
   * Transactional id of this instance's consumer, for services whose handler calls run in Kafka
   * transactions (exactly-once): stable per instance, unique across instances (a StatefulSet
   * pod's name). Unset: the host name and HTTP port.
   */
  KAFKA_TRANSACTIONAL_ID: z.string().min(1).optional(),
  /** How long the broker keeps such a transaction open when its instance died (a new instance under another id does not end it). */
  KAFKA_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30000),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  /** TLS to the brokers (the system's CAs unless KAFKA_SSL_CA_FILE names a PEM file). */
  KAFKA_SSL: booleanFlag.default(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** SASL authentication to the brokers; SCRAM keeps the password off the wire, PLAIN needs KAFKA_SSL. */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  MONGO_URL: configFields.url(['mongodb', 'mongodb+srv']).default('mongodb://127.0.0.1:27017'),
  MONGO_DB: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,63}$/, 'database names are letters, digits, - and _')
    .optional(),
  /**
   * Longest wait for one database reply. A store that stops answering (FerretDB on SQLite under
   * concurrent writers from several instances) then fails the command as a network timeout: a
   * transient failure the consumer waits out, reporting not-ready, instead of hanging on it.
   */
  MONGO_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60000),
  REDIS_URL: configFields.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default(''),
  OTEL_EXPORTER_OTLP_ENDPOINT: configFields.url(['http', 'https']).optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  /**
   * Key of the keyed hashes (HMAC-SHA256) that stand in for customers and identifiers in privacy
   * records (erased customers, audit). The same in every service; keep it secret.
   */
  PRIVACY_PSEUDONYM_KEY: z.string().min(16, 'at least 16 characters').default(DEVELOPMENT_PSEUDONYM_KEY),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30000),
  /** OpenID Connect issuer whose access tokens the service accepts (its `iss`, exactly); locally the provider `npm start` runs. */
  AUTH_ISSUER: configFields.url(['http', 'https']).default('http://127.0.0.1:3005'),
  /** Audience a token must name (`aud`). */
  AUTH_AUDIENCE: z.string().min(1).default('urn:o2o:platform'),
  /** The issuer's JWKS; without it, read from the issuer's /.well-known/openid-configuration. */
  AUTH_JWKS_URL: configFields.url(['http', 'https']).optional(),
  /** Clock skew tolerated on a token's exp, nbf and iat. */
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Claim holding the caller's roles (dot path: `roles`, Keycloak `realm_access.roles`). */
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Token signature algorithms accepted (asymmetric: keys come from the issuer's JWKS). */
  AUTH_ALGORITHMS: z
    .string()
    .default('RS256,PS256,ES256,EdDSA')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1)),
  /**
   * Customer-facing calls (profile lookups, next actions) a client may make per second, counted
   * by each instance; 429 beyond it.
   */
  RATE_LIMIT_CLIENT_PER_SECOND: z.coerce.number().int().min(1).default(2000),
  /** Privileged calls (every scope the audit trail records) a client may make per minute, counted in Redis across instances. */
  RATE_LIMIT_PRIVILEGED_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Days the audit trail of privileged calls is kept (each service's `audit_trail`). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /**
   * Personal data on the sealed topics (ingest.events, ingest.rejected, identity.events,
   * identity.changes, identity.snapshots, dead letters) is encrypted under per-subject keys an
   * erasure destroys (docs/security.md). On unless NODE_ENV=test (tests, benchmarks and the chaos
   * run read the topics in clear; the crypto-shredding test turns it on); production refuses off.
   */
  DATA_SEALING: booleanFlag.optional(),
  /** identity-resolution's API, which holds the data keys (development: the local one on :3001). */
  DATA_KEYS_URL: configFields.url(['http', 'https']).optional(),
  /** The OAuth client this service fetches data keys with (client credentials, scope data-keys:use). */
  DATA_KEYS_CLIENT_ID: z.string().min(1).default('demo-service'),
  DATA_KEYS_CLIENT_SECRET: z.string().min(1).default(DEVELOPMENT_DATA_KEYS_CLIENT_SECRET),
  /** How long a process uses a data key from memory: bounds how long a destroyed key still opens messages in a running process. */
  DATA_KEYS_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long a checked API key is trusted before its record is read again (a revocation reaches other instances within it). */
  AUTH_API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
};

export const baseServiceConfigSchema = z.object(baseServiceConfigShape);
export type BaseServiceConfig = z.infer<typeof baseServiceConfigSchema>;
