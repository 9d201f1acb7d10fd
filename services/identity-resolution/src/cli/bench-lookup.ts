/**
 * Lookup benchmark against the RUNNING service: GET /v1/identities/{type}/{value} for identifiers
 * the service holds (read from its database), at a fixed request rate, and prints the latency
 * percentiles autocannon measured. The target is p99 under 5 ms at 1,000 requests/s.
 *
 *   node services/identity-resolution/dist/cli/bench-lookup.js --url http://127.0.0.1:3001 [--rate 1000] [--duration 30] [--identifiers 5000]
 *
 * The calls carry a token of the local identity provider's demo-service client (client
 * credentials, scope profiles:read) from the service's own AUTH_ISSUER.
 */
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { clientCredentialsToken, demoClientOf, SCOPES, tokenEndpointOf } from '@o2o/auth';
import { loadIdentityResolutionConfig } from '../config/identity-resolution.config';
import { IdentifierDocument } from '../resolution/application/ports/identity-graph.records';
import { argument, numberArgument } from './cli-arguments';

async function samplePaths(limit: number): Promise<string[]> {
  const config = loadIdentityResolutionConfig();
  const connection = await mongoose
    .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, serverSelectionTimeoutMS: 10000 })
    .asPromise();
  try {
    const docs = await connection
      .collection<IdentifierDocument>('identifiers')
      .find({ unique: true }, { projection: { type: 1, value: 1 } })
      .limit(limit)
      .toArray();
    return docs.map((d) => `/v1/identities/${encodeURIComponent(d.type)}/${encodeURIComponent(d.value)}`);
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const url = argument(argv, '--url', 'http://127.0.0.1:3001');
  const rate = numberArgument(argv, '--rate', 1000);
  const duration = numberArgument(argv, '--duration', 30);
  const paths = await samplePaths(numberArgument(argv, '--identifiers', 5000));
  const token = await clientCredentialsToken(await tokenEndpointOf(loadIdentityResolutionConfig().AUTH_ISSUER), demoClientOf('service'), [
    SCOPES.profilesRead,
  ]);
  const headers = { authorization: `Bearer ${token}` };
  if (paths.length === 0) throw new Error('the service holds no identifiers yet: run bench-matching first');

  // One pass first, so the measured run sees the steady state (every write also refreshes the cache).
  let misses = 0;
  for (const path of paths) if ((await fetch(`${url}${path}`, { headers })).status !== 200) misses += 1;

  let next = 0;
  const result = await autocannon({
    url,
    connections: 20,
    overallRate: rate,
    duration,
    headers,
    requests: [
      {
        setupRequest: (request) => {
          const path = paths[next % paths.length] ?? '/';
          next += 1;
          return { ...request, path };
        },
      },
    ],
  });
  const l = result.latency;
  process.stdout.write(
    [
      `lookups of ${paths.length} identifiers (${misses} not found in the warm-up pass) at ${rate} req/s for ${duration} s, 20 connections`,
      `requests ${result.requests.total} (${result.requests.average.toFixed(0)}/s), non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
      `latency ms: p50 ${l.p50}, p90 ${l.p90}, p97.5 ${l.p97_5}, p99 ${l.p99}, p99.9 ${l.p99_9}, max ${l.max}, mean ${l.average.toFixed(3)}`,
      `p99 ${l.p99 < 5 ? 'meets' : 'MISSES'} the 5 ms target`,
    ].join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-lookup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
