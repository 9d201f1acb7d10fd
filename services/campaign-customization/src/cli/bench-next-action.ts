/**
 * Benchmark of POST /v1/customers/by/{type}/{value}/next-action (the decision: contact reserved,
 * decision published, one Idempotency-Key per request) against a running instance
 * (not a test). Seeds customers through the service's own input topics (value scores, consent
 * events), creates a campaign through its API, waits until the last customer is decidable, then
 * drives the endpoint at a fixed rate with autocannon and prints latency percentiles.
 *
 *   node services/campaign-customization/dist/cli/bench-next-action.js \
 *     --url http://127.0.0.1:3004 --brokers 127.0.0.1:9092 --prefix "" --customers 1000 --rate 500 --duration 20 [--warmup 5] [--connections 10] [--reuse <run id>]
 *     [--issuer http://127.0.0.1:3005]
 *
 * Tokens come from the issuer by the client-credentials grant with the local identity provider's
 * demo clients: demo-marketer creates the campaign, demo-service asks for next actions.
 * --prefix must be the instance's KAFKA_TOPIC_PREFIX. Settings come from flags, not the
 * environment, so a benchmark run never picks up a production setting by accident.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { topics, type ResolvedEventDataV1, type ValueScoredDataV1 } from '@o2o/contracts';
import { clientCredentialsToken, demoClientOf, tokenEndpointOf } from '@o2o/auth';
import { createEnvelope } from '@o2o/kafka';

interface Options {
  url: string;
  brokers: string[];
  prefix: string;
  customers: number;
  rate: number;
  duration: number;
  /** Seconds at the same rate before measuring, not counted: a service just started is still compiling its hot path. */
  warmup: number;
  connections: number;
  channel: string;
  /** Reuse the customers seeded by an earlier run (its id), skipping the seeding. */
  reuse?: string;
  /** The OpenID Connect issuer the instance trusts (AUTH_ISSUER). */
  issuer: string;
}

/** Bearer headers of the campaign set-up (a marketer) and of the measured calls (a service). */
interface Credentials {
  marketer: Record<string, string>;
  service: Record<string, string>;
}

async function credentials(issuer: string): Promise<Credentials> {
  const endpoint = await tokenEndpointOf(issuer);
  const bearer = async (role: string, scopes: string[]) => ({
    authorization: `Bearer ${await clientCredentialsToken(endpoint, demoClientOf(role), scopes)}`,
  });
  return {
    marketer: await bearer('marketer', ['campaigns:write']),
    service: await bearer('service', ['profiles:read', 'decisions:write']),
  };
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (name?.startsWith('--') && value !== undefined) flags.set(name.slice(2), value);
  }
  const number = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    url: flags.get('url') ?? 'http://127.0.0.1:3004',
    brokers: (flags.get('brokers') ?? '127.0.0.1:9092').split(','),
    prefix: flags.get('prefix') ?? '',
    customers: number('customers', 1000),
    rate: number('rate', 500),
    duration: number('duration', 20),
    warmup: flags.get('warmup') === '0' ? 0 : number('warmup', 5),
    // autocannon paces a fixed rate per connection and sends each connection's share back to
    // back: 50 connections at 10 requests/s each are bursts of 50 concurrent requests, which give
    // a bare Node server p99 42-58 ms here; 10 connections at 50 requests/s give it p99 5 ms.
    connections: number('connections', 10),
    channel: flags.get('channel') ?? 'call-centre',
    ...(flags.has('reuse') ? { reuse: flags.get('reuse') } : {}),
    issuer: flags.get('issuer') ?? 'http://127.0.0.1:3005',
  };
}

const source = '/cli/bench-next-action';

async function seed(options: Options, ids: readonly string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-next-action', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const now = new Date().toISOString();
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const consent = slice.map((customerId) => {
      const data: ResolvedEventDataV1 = {
        messageId: randomUUID(),
        sourceId: 'bench',
        channel: 'call-centre',
        eventType: 'track',
        event: 'Consent Updated',
        properties: { purpose: 'marketing', channel: options.channel, granted: true, wordingVersion: 'bench' },
        timestamp: now,
        receivedAt: now,
        customerId,
        identifiers: [],
      };
      return createEnvelope({ type: 'customer-event.resolved', version: 1, source, subject: customerId, data });
    });
    const scores = slice.map((customerId, n) => {
      const data: ValueScoredDataV1 = {
        customerId,
        actualValue: 5000 + n,
        strategicValue: 0,
        tier: 'A',
        purchases: 3,
        revenue: 900,
        currency: 'EUR',
        modelVersion: 'bench',
        reasons: [],
        updatedAt: now,
      };
      return createEnvelope({ type: 'customer.value-scored', version: 1, source, subject: customerId, data });
    });
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: `${options.prefix}${topics.identityEvents.name}`,
          messages: consent.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
        },
        {
          topic: `${options.prefix}${topics.valueScores.name}`,
          messages: scores.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
        },
      ],
    });
  }
  await producer.disconnect();
}

async function ensureCampaign(options: Options, auth: Credentials): Promise<void> {
  const campaign = {
    id: 'bench-offer',
    name: 'Benchmark offer',
    status: 'active',
    segmentId: 'value-tier-a',
    purpose: 'marketing',
    channels: [options.channel],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 30,
    startAt: new Date(Date.now() - 86_400_000).toISOString(),
    holdoutShare: 0.1,
    // Generous caps: every request still reads and updates the sliding-window counters.
    caps: { campaign: [{ max: 100_000, windowHours: 24 }], perChannel: { [options.channel]: [{ max: 100_000, windowHours: 24 * 7 }] } },
    modules: {
      product: { options: [{ id: 'premium', weight: 1, attributes: { sku: 'P-1' } }] },
      message: {
        options: [
          { id: 'warm', when: { path: 'value.tier', op: 'eq', value: 'A' }, weight: 1, attributes: { template: 'warm' } },
          { id: 'plain', attributes: { template: 'plain' } },
        ],
      },
    },
  };
  const response = await fetch(`${options.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth.marketer },
    body: JSON.stringify(campaign),
  });
  if (response.status !== 201 && response.status !== 409)
    throw new Error(`creating the campaign: ${response.status} ${await response.text()}`);
}

async function waitUntilDecidable(options: Options, auth: Credentials, customerId: string): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const response = await fetch(`${options.url}/v1/customers/by/customerId/${customerId}/next-action?channel=${options.channel}`, {
      headers: auth.service,
    });
    if (response.status === 200) {
      const body = (await response.json()) as { action: { kind: string } };
      if (body.action.kind !== 'none') return;
    }
    if (Date.now() > deadline) throw new Error(`customer ${customerId} not decidable after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const run = options.reuse ?? randomUUID().slice(0, 8);
  const ids = Array.from({ length: options.customers }, (_, i) => `bench-${run}-${i}`);
  const auth = await credentials(options.issuer);
  await ensureCampaign(options, auth);
  const seeding = Date.now();
  if (options.reuse === undefined) await seed(options, ids);
  // Partitions are consumed independently: wait for a sample spread over all of them.
  for (let i = ids.length - 1; i >= 0; i -= Math.max(1, Math.floor(ids.length / 50))) {
    const id = ids[i];
    if (id !== undefined) await waitUntilDecidable(options, auth, id);
  }
  process.stdout.write(
    `${options.reuse === undefined ? 'seeded' : 'reused'} ${ids.length} customers (run ${run}) in ${((Date.now() - seeding) / 1000).toFixed(1)} s\n`,
  );

  let next = 0;
  const drive = (duration: number) =>
    autocannon({
      url: options.url,
      connections: options.connections,
      overallRate: options.rate,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const n = next++;
            const id = ids[n % ids.length] ?? '';
            return {
              ...request,
              path: `/v1/customers/by/customerId/${id}/next-action`,
              headers: { ...auth.service, 'content-type': 'application/json', 'idempotency-key': `bench-${run}-${n}` },
              body: JSON.stringify({ channel: options.channel }),
            };
          },
        },
      ],
    });
  if (options.warmup > 0) await drive(options.warmup);
  const result = await drive(options.duration);
  const latency = result.latency;
  process.stdout.write(
    [
      `next-action at ${options.rate} req/s target for ${options.duration} s (after ${options.warmup} s of warm-up) over ${options.customers} customers (${options.connections} connections)`,
      `  throughput: ${result.requests.average.toFixed(1)} req/s average, ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
      `  latency ms: p50 ${latency.p50}, p90 ${latency.p90}, p99 ${latency.p99}, max ${latency.max}, mean ${latency.average.toFixed(2)}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
