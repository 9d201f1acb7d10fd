import { serversFromEnvironment, ServerUrls, TEST_AUTH_ISSUER_VARIABLE } from '@o2o/testing';

/**
 * Settings of `npm run bench:console`: `--runs=5` (cold and warm runs of each case, 1-50). The
 * servers are the running ones named by KAFKA_BROKERS, MONGO_URL and REDIS_URL (`source
 * .local-servers/env.sh`); the benchmark never starts or stops them.
 */
export interface ConsoleBenchConfig {
  runs: number;
  servers: ServerUrls;
}

export function loadConsoleBenchConfig(argv: readonly string[] = process.argv.slice(2)): ConsoleBenchConfig {
  let runs = Number(process.env['BENCH_RUNS'] ?? 5);
  for (const arg of argv) {
    const match = /^--runs=(\d+)$/.exec(arg);
    if (!match) throw new Error(`unknown argument "${arg}" (bench:console takes --runs=N)`);
    runs = Number(match[1]);
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be 1-50, not ${runs}`);
  const servers = serversFromEnvironment();
  if (!servers)
    throw new Error(
      'KAFKA_BROKERS, MONGO_URL and REDIS_URL are not set: start the servers (npm start, or deploy/local/servers.sh start) and `source .local-servers/env.sh`',
    );
  return { runs, servers };
}

/** testEnvironment() reads the issuer of the identity provider from the environment, as the integration suite's global setup leaves it. */
export function exportTestIssuer(issuer: string): void {
  process.env[TEST_AUTH_ISSUER_VARIABLE] = issuer;
}
