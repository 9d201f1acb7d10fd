import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchConfig, inheritedEnvironment } from '../config/bench.config';
import { resolveServers } from '../infrastructure/servers';
import { benchKafka, createBenchTopics, deleteTopicsWithPrefix } from '../kafka/client-settings';
import { BenchPopulation } from '../load/bench-population';
import { resultsDirectory } from '../pipeline/pipeline-bench';
import { machineInfo } from '../report/machine-info';
import { demoWriteKeys, ServiceProcess as RunningServiceProcess, startServiceProcess } from '@o2o/testing';
import { readProcessUsage, usageDelta } from '../processes/process-usage';
import { runBenchCli } from './bench-cli';

/**
 * Issue 3's benchmark: ingestion alone. Posts Segment /v1/batch requests (fresh messageIds in
 * every request, so each is published, not deduplicated) with autocannon to a running ingestion
 * (--ingestion-url) or to one it starts on bench-private topics, and prints accepted events/s and
 * the answer latency. Every 200 means Kafka acknowledged with acks=all.
 *   --duration=20 --connections=32 --http-batch=50
 */
async function main(config: BenchConfig): Promise<void> {
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench${runId}.`;
  let service: RunningServiceProcess | undefined;
  let url = config.INGESTION_URL;
  let origin = 'running instance';
  let brokers: string[] = [];
  if (!url) {
    const servers = resolveServers(config);
    origin = servers.origin;
    brokers = servers.KAFKA_BROKERS.split(',');
    await createBenchTopics(benchKafka(brokers, 'bench-ingestion'), prefix, config.BENCH_PARTITIONS);
    service = await startServiceProcess('ingestion', {
      ...inheritedEnvironment(),
      // Not 'production': that refuses the demo sources' public write keys the benchmark sends with.
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...servers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(config.BENCH_PARTITIONS),
      REDIS_KEY_PREFIX: `bench${runId}:`,
      MONGO_DB: `bench_${runId}_ingestion`,
      INGESTION_DEMO_SOURCES: 'true',
      RATE_LIMIT_EVENTS_PER_SECOND: '10000000',
    });
    url = service.url;
  }
  const population = new BenchPopulation(config.BENCH_POPULATION, runId, config.BENCH_SEED);
  // One channel keeps one write key per request; the web channel carries most of the demo mix.
  const body = (): string => {
    const batch = population
      .next(config.BENCH_HTTP_BATCH)
      .map((m) => ({ ...m.message, messageId: `${m.messageId}-${randomBytes(4).toString('hex')}` }));
    return JSON.stringify({ batch, sentAt: new Date().toISOString() });
  };
  const before = service ? readProcessUsage(service.pid) : undefined;
  const result = await autocannon({
    url,
    connections: config.BENCH_CONNECTIONS,
    duration: config.BENCH_DURATION,
    requests: [
      {
        method: 'POST',
        path: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${demoWriteKeys.web}:`).toString('base64')}` },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  });
  const usage = service ? usageDelta(before, readProcessUsage(service.pid), config.BENCH_DURATION) : undefined;
  const accepted = (result['2xx'] * config.BENCH_HTTP_BATCH) / config.BENCH_DURATION;
  const summary = {
    startedAt: new Date(result.start).toISOString(),
    machine: machineInfo(origin),
    connections: config.BENCH_CONNECTIONS,
    eventsPerRequest: config.BENCH_HTTP_BATCH,
    seconds: config.BENCH_DURATION,
    acceptedEventsPerSecond: Math.round(accepted),
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    ingestionProcess: usage,
  };
  if (service) await service.stop();
  if (brokers.length > 0 && !config.BENCH_KEEP_TOPICS)
    await deleteTopicsWithPrefix(benchKafka(brokers, 'bench-ingestion'), prefix).catch(() => 0);
  const file = join(resultsDirectory(), `ingestion-${summary.startedAt.replace(/[:.]/g, '-')}-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    [
      `ingestion benchmark (${origin}; ${summary.machine.cores} cores, Node ${summary.machine.node}, load avg ${summary.machine.loadAverageAtStart})`,
      `  ${config.BENCH_CONNECTIONS} connections, ${config.BENCH_HTTP_BATCH} events per /v1/batch, ${config.BENCH_DURATION} s`,
      `  accepted        ${summary.acceptedEventsPerSecond} events/s (${summary.requestsPerSecond} requests/s; non-2xx ${summary.non2xx}, errors ${summary.errors}, timeouts ${summary.timeouts})`,
      `  latency         p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms`,
      ...(usage ? [`  ingestion CPU   ${usage.cores} cores, rss ${Math.round(usage.rssBytes / 1048576)} MiB`] : []),
      `results: ${file}`,
    ].join('\n') + '\n',
  );
  process.exit(0);
}

runBenchCli('bench:ingestion', 'ingestion alone: Segment /v1/batch requests with autocannon', main);
