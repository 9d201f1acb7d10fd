import { randomBytes } from 'node:crypto';

/** A short random id for test-scoped names. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Refuses to touch a database whose name does not mark it as a test database. */
export function assertTestDatabase(name: string): void {
  if (!name.startsWith('test_')) throw new Error(`refusing to use non-test database "${name}" in a test`);
}

/**
 * Environment for a service under test: the servers chosen by the global setup, a topic prefix,
 * Redis key prefix and databases private to this test run, ephemeral API and management ports, and the test
 * run's identity provider as the token issuer.
 */
export function testEnvironment(run: string, service: string, overrides: Record<string, string> = {}): Record<string, string> {
  const database = `test_${run}_${service.replace(/-/g, '_')}`;
  assertTestDatabase(database);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    KAFKA_BROKERS: required('KAFKA_BROKERS'),
    MONGO_URL: required('MONGO_URL'),
    REDIS_URL: required('REDIS_URL'),
    KAFKA_TOPIC_PREFIX: `${run}.`,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_BATCH_RETRIES: '2',
    REDIS_KEY_PREFIX: `${run}:`,
    MONGO_DB: database,
    HTTP_HOST: '127.0.0.1',
    MANAGEMENT_HOST: '127.0.0.1',
    MANAGEMENT_PORT: '0',
    // Tests poll privileged routes; the rate-limit test sets its own small limits.
    RATE_LIMIT_PRIVILEGED_PER_MINUTE: '100000',
    RATE_LIMIT_CLIENT_PER_SECOND: '100000',
    SHUTDOWN_TIMEOUT_MS: '20000',
    AUTH_ISSUER: required('O2O_TEST_AUTH_ISSUER'),
    // Most tests read the topics they check in clear; the crypto-shredding test turns it on.
    DATA_SEALING: 'false',
    ...overrides,
  };
  return env;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest.int.config.js (its global setup starts the servers)`);
  return value;
}
