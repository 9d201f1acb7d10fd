import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@o2o/contracts';
import { completionTimes, downstreamStages, StageName } from '../analysis/completion';
import { Correlator, CorrelationReport } from '../analysis/correlation';
import { CheckResult, checkEffects } from '../analysis/effects-check';
import { distribution, Distribution, perSecond, round } from '../analysis/stats';
import { DatabaseCeilingResult, runDatabaseCeiling } from '../ceiling/database-ceiling';
import { runNoopChain, NoopChainResult } from '../ceiling/noop-chain';
import { BenchConfig, inheritedEnvironment, profiledServices } from '../config/bench.config';
import { CostCounters, counterIncrease, PerEventCost, pipelineTotal, StageCost, stageCost } from '../analysis/cost-per-event';
import { repoRoot } from '@o2o/testing';
import { localServerPids, resolveServers } from '../infrastructure/servers';
import { benchKafka, createBenchTopics, deleteTopicsWithPrefix } from '../kafka/client-settings';
import { BenchPopulation } from '../load/bench-population';
import { LoadDriver, PhaseLoad, sleep } from '../load/load-driver';
import { MetricsScraper } from '../measure/metrics-scraper';
import { lagOf, OffsetTracker, PartitionOffsets, sum } from '../measure/offset-tracker';
import { RecordedMessage, TopicRecorder, WatchedTopic, watchedTopics } from '../measure/topic-recorder';
import { readProcessUsage, ProcessUsage, usageDelta, UsageDelta } from '../processes/process-usage';
import { ServiceProcess as RunningServiceProcess, serviceIsBuilt, startServiceProcess } from '@o2o/testing';
import { monotonicMicros, summariseCpuProfile, ProfileSummary } from '../profile/cpu-profile';
import { machineInfo, MachineInfo } from '../report/machine-info';

export const pipelineServices = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;

export interface StageStatus {
  service: string;
  status: 'running' | 'not built' | 'left out' | 'failed to start';
  detail?: string;
  exitCode?: number | null;
}

export interface PhaseResult {
  phase: string;
  mode: 'rate' | 'max';
  offeredRate: number | undefined;
  seconds: number;
  acceptedPerSecond: number;
  /** Events whose effect reached the last running stage, per second, over the phase. */
  endToEndPerSecond: number;
  endToEndTimeline: number[];
  /** Events of this phase not complete when the run ended. */
  incomplete: number;
  /** Time after the phase's last request until its last event completed. */
  drainSeconds: number | undefined;
  httpRequestMs: Distribution;
  httpFailures: { requests: number; events: number; errors: string[] };
  /** From ingestion's receivedAt to the last running stage's commit (to the offset sampling period). */
  completionMs: Distribution;
  /** From ingestion's receivedAt to the producer timestamp of messages on each downstream topic. */
  hopLatencyMs: Record<string, Distribution>;
  /** Event-to-segment-change: receivedAt to the membership message. */
  segmentChangeMs: Distribution;
  /** Largest consumer lag per service and input topic: from committed offsets, and as the service's /metrics reported it. */
  maxLag: Record<string, { committed: Record<string, number>; reported: Record<string, number> }>;
  /** Events per second each stage committed on its main input (max: second half of the phase). The smallest is the bottleneck. */
  stageThroughput: Record<string, number>;
  batches: Record<string, Record<string, { batches: number; meanSize: number; meanMs: number }>>;
  /** Each service's MongoDB commands in the phase, most total time first ("collection command"). */
  store: Record<string, Record<string, { count: number; meanMs: number; totalMs: number }>>;
  processes: Record<string, UsageDelta | undefined>;
  /** What one event cost each stage, from the phase's start until the pipeline had drained it. */
  cost: PhaseCost;
}

export interface PhaseCost {
  /** Seconds from the phase's start until drained (or the drain timeout). */
  seconds: number;
  drained: boolean;
  /** Events ingestion accepted in the phase; each stage's own count is in its row. */
  events: number;
  stages: Record<string, StageCost>;
  /** Each service's CPU with no load, measured before the first phase (--idle-baseline). */
  idleCores: Record<string, number> | undefined;
  /** The five stages summed: the pipeline's cost of one event. */
  pipeline: PerEventCost;
}

export interface BenchResult {
  runId: string;
  startedAt: string;
  config: Omit<BenchConfig, 'KAFKA_BROKERS' | 'MONGO_URL' | 'REDIS_URL'>;
  machine: MachineInfo;
  stages: StageStatus[];
  phases: PhaseResult[];
  /** pipelineEventsPerSecond: the bottleneck stage's throughput in the max phase (what the pipeline sustains). */
  ceiling: (NoopChainResult & { pipelineEventsPerSecond: number | undefined; pipelineRatio: number | undefined }) | { skipped: string };
  /** The same saturation throughput against the database ceiling (see runDatabaseCeiling). */
  databaseCeiling:
    (DatabaseCeilingResult & { pipelineEventsPerSecond: number | undefined; pipelineRatio: number | undefined }) | { skipped: string };
  correlation: CorrelationReport[];
  checks: CheckResult[];
  messageBytes: Record<string, number>;
  /** CPU profile per profiled service (--profile), over the load phases. */
  profiles: Record<string, ProfileSummary | { skipped: string }>;
  notes: string[];
  durationSeconds: number;
}

type Log = (line: string) => void;

/** The readings at one end of a cost window: process CPU, /metrics counters, committed offsets of each stage's main input. */
interface CostMark {
  at: number;
  usage: Record<string, ProcessUsage | undefined>;
  counters: Map<string, CostCounters>;
  /** Each downstream stage's committed offsets on its main input, per partition. */
  committed: Record<string, PartitionOffsets>;
}
interface CostWindow {
  start: CostMark;
  end: CostMark;
  drained: boolean;
}

/** The whole `npm run bench` run: servers, services, load phases, ceiling, analysis. */
export async function runPipelineBench(config: BenchConfig, log: Log): Promise<BenchResult> {
  const began = Date.now();
  // Before anything is created: a misspelt --profile is refused, not discovered after the run.
  const profiled = profiledServices(config.BENCH_PROFILE, pipelineServices);
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench${runId}.`;
  const notes: string[] = [];
  const servers = resolveServers(config);
  const machine = machineInfo(servers.origin);
  const brokers = servers.KAFKA_BROKERS.split(',').map((b) => b.trim());
  const kafka = benchKafka(brokers, 'bench');
  log(`run ${runId}: servers from ${servers.origin}; topics ${prefix}*, databases bench_${runId}_*`);

  await createBenchTopics(kafka, prefix, config.BENCH_PARTITIONS);
  const recorder = new TopicRecorder(kafka, prefix);
  await recorder.start();

  const profileDir = join(repoRoot(), 'bench-results', 'profiles', runId);
  const stages: StageStatus[] = [];
  const running: RunningServiceProcess[] = [];
  const environment = inheritedEnvironment();
  const envFor = (service: string): Record<string, string> => ({
    ...environment,
    // Not 'production': that refuses the demo sources' public write keys the benchmark sends with.
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: servers.KAFKA_BROKERS,
    MONGO_URL: servers.MONGO_URL,
    REDIS_URL: servers.REDIS_URL,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: String(config.BENCH_PARTITIONS),
    KAFKA_FROM_BEGINNING: 'true',
    REDIS_KEY_PREFIX: `bench${runId}:`,
    MONGO_DB: `bench_${runId}_${service.replace(/-/g, '_')}`,
    INGESTION_DEMO_SOURCES: 'true',
    // The per-source limiter (5000/s by default) would measure itself, not the pipeline.
    RATE_LIMIT_EVENTS_PER_SECOND: '10000000',
    SHUTDOWN_TIMEOUT_MS: '20000',
    ...(config.BENCH_PARTITIONS_CONCURRENCY === undefined
      ? {}
      : { KAFKA_PARTITIONS_CONCURRENCY: String(config.BENCH_PARTITIONS_CONCURRENCY) }),
  });

  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      running.map(async (s) => {
        const code = await s.stop();
        const stage = stages.find((x) => x.service === s.name);
        if (stage) stage.exitCode = code;
      }),
    );
  };
  const onSignal = (): void => {
    log('interrupted: stopping the services');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // Started one after the other: on two cores, five Nest apps booting at once take longer than in turn.
    const wanted = config.BENCH_SERVICES ? new Set(config.BENCH_SERVICES.split(',').map((x) => x.trim())) : undefined;
    for (const service of pipelineServices) {
      if (wanted && !wanted.has(service)) {
        stages.push({ service, status: 'left out', detail: '--services' });
        continue;
      }
      if (!serviceIsBuilt(service)) {
        stages.push({ service, status: 'not built', detail: `services/${service}/dist/main.js missing` });
        log(`${service}: not built, measured without it`);
        continue;
      }
      try {
        const nodeArgs = profiled.includes(service) ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, service)}`] : [];
        const started = await startServiceProcess(service, envFor(service), { nodeArgs, readyTimeoutMs: 90000 });
        running.push(started);
        stages.push({ service, status: 'running' });
        log(`${service}: ready (pid ${started.pid})`);
      } catch (error) {
        const detail = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' | ') : String(error);
        stages.push({ service, status: 'failed to start', detail });
        log(`${service}: failed to start: ${detail}`);
      }
    }
    const ingestion = running.find((s) => s.name === 'ingestion');
    if (!ingestion) throw new Error('ingestion is not running: nothing to measure');
    // A stage downstream of a missing one receives nothing; count it as missing too.
    const present = new Set<StageName>();
    for (const stage of downstreamStages) {
      if (!running.some((s) => s.name === stage.service)) continue;
      if (stage.service !== 'identity-resolution' && !present.has('identity-resolution')) continue;
      present.add(stage.service);
    }
    for (const s of stages)
      if (s.status === 'running' && s.service !== 'ingestion' && !present.has(s.service as StageName))
        notes.push(`${s.service} runs but its input stage does not; not measured`);

    const tracker = new OffsetTracker(
      kafka,
      prefix,
      downstreamStages.filter((s) => present.has(s.service)).map((s) => ({ service: s.service, inputs: [...s.inputs] })),
      [...Object.values(watchedTopics), topics.identitySnapshots.name],
      config.BENCH_SAMPLE_MS,
    );
    await tracker.start();
    const scraper = new MetricsScraper(
      running.map((s) => ({ name: s.name, url: s.managementUrl })),
      config.BENCH_SCRAPE_INTERVAL * 1000,
    );
    scraper.start();

    const population = new BenchPopulation(config.BENCH_POPULATION, runId, config.BENCH_SEED);
    const driver = new LoadDriver({
      ingestionUrl: ingestion.url,
      population,
      httpBatch: config.BENCH_HTTP_BATCH,
      concurrency: config.BENCH_HTTP_CONCURRENCY,
    });

    // How many accepted events the slowest running stage has finished (1:1 with identity.events).
    const completedEstimate = (): number => {
      const sample = tracker.latest();
      if (!sample) return 0;
      const consumersOfIdentity = [...present].filter((s) => s !== 'identity-resolution');
      if (consumersOfIdentity.length > 0)
        return Math.min(...consumersOfIdentity.map((s) => sum(sample.committed.get(s)?.get(topics.identityEvents.name))));
      if (present.has('identity-resolution')) return sum(sample.committed.get('identity-resolution')?.get(topics.ingestEvents.name));
      return driver.accepted.size;
    };
    const drain = async (label: string): Promise<void> => {
      const deadline = Date.now() + config.BENCH_DRAIN_TIMEOUT * 1000;
      while (Date.now() < deadline) {
        const sample = await tracker.sampleNow();
        const ingested = sum(sample?.highWatermarks.get(topics.ingestEvents.name));
        const lagging = sample
          ? downstreamStages.filter((s) => present.has(s.service)).some((s) => s.inputs.some((t) => (lagOf(sample, s.service, t) ?? 0) > 0))
          : true;
        if (!lagging && ingested >= driver.accepted.size) return;
        await sleep(250);
      }
      notes.push(`${label}: pipeline not drained after ${config.BENCH_DRAIN_TIMEOUT} s`);
    };

    // Events a stage committed on its main input between two sets of its committed offsets:
    // messages, not offsets (ingest.events and identity.events are written in transactions, and
    // every commit leaves a marker at an offset of its own: 2-5 % of the offsets at saturation,
    // up to 40 % with the small batches of the rate phase).
    const committedEvents = (service: string, from: PartitionOffsets | undefined, to: PartitionOffsets | undefined): number => {
      const topic = watchedTopicOf(downstreamStages.find((s) => s.service === service)?.main);
      if (!topic) return sum(to) - sum(from);
      return recorder.messagesBelow(topic, to ?? []) - recorder.messagesBelow(topic, from ?? []);
    };
    // Events each stage committed on its main input per second between two instants: under
    // saturation the smallest is the pipeline's throughput, whatever the end-to-end latency.
    const stageThroughput = (from: number, to: number): Record<string, number> => {
      const first = tracker.samples.find((x) => x.at >= from);
      const last = [...tracker.samples].reverse().find((x) => x.at <= to);
      const out: Record<string, number> = {};
      if (!first || !last || last.at <= first.at) return out;
      for (const stage of downstreamStages) {
        if (!present.has(stage.service)) continue;
        const done = committedEvents(
          stage.service,
          first.committed.get(stage.service)?.get(stage.main),
          last.committed.get(stage.service)?.get(stage.main),
        );
        out[stage.service] = round(done / ((last.at - first.at) / 1000));
      }
      return out;
    };
    // The recorder reads beside the pipeline: counting by its messages waits until it has read what was committed (bounded).
    const recorderCaughtUp = async (): Promise<void> => {
      const sample = tracker.latest();
      const deadline = Date.now() + 15000;
      const caughtUp = (): boolean =>
        downstreamStages.every((stage) => {
          const topic = watchedTopicOf(stage.main);
          return !topic || recorder.hasRead(topic, sample?.committed.get(stage.service)?.get(stage.main) ?? []);
        });
      while (!caughtUp() && Date.now() < deadline) await sleep(200);
      if (!caughtUp()) notes.push('the recorder had not read every committed message when the stages were counted');
    };

    const pids = (): Record<string, number> => ({
      ...Object.fromEntries(running.map((s) => [s.name, s.pid])),
      ...localServerPids(),
      bench: process.pid,
    });
    const usage = (): Record<string, ProcessUsage | undefined> =>
      Object.fromEntries(Object.entries(pids()).map(([name, pid]) => [name, readProcessUsage(pid)]));

    // Cost windows: a phase's start until the pipeline has drained it, so that every stage has
    // finished (and paid for) every event of the phase; /proc, /metrics and offsets read together.
    const costMark = async (): Promise<CostMark> => {
      const [snapshots, sample] = await Promise.all([scraper.scrapeNow(), tracker.sampleNow()]);
      const committed: Record<string, PartitionOffsets> = {};
      for (const stage of downstreamStages)
        if (present.has(stage.service)) committed[stage.service] = sample?.committed.get(stage.service)?.get(stage.main) ?? [];
      return { at: Date.now(), usage: usage(), counters: new Map([...snapshots].map(([name, snap]) => [name, snap.cost])), committed };
    };
    const costWindows = new Map<string, CostWindow>();
    let loadWindow: { fromUs: number; toUs: number } | undefined;
    const markLoadStart = (): void => {
      loadWindow ??= { fromUs: monotonicMicros(), toUs: Number.POSITIVE_INFINITY };
    };
    const markLoadEnd = (): void => {
      if (loadWindow) loadWindow.toUs = monotonicMicros();
    };

    const phases: Array<{
      load: PhaseLoad;
      before: Record<string, ProcessUsage | undefined>;
      after: Record<string, ProcessUsage | undefined>;
    }> = [];
    if (config.BENCH_WARMUP > 0) {
      log(`warm-up: ${config.BENCH_WARMUP} s at ${Math.min(50, config.BENCH_RATE)} events/s`);
      await driver.runRate('warmup', Math.min(50, config.BENCH_RATE), config.BENCH_WARMUP);
      await drain('warm-up');
    }
    // Each process's CPU with nothing to do (timers, /metrics scrapes, a profiler's sampling): the
    // cost windows run until drained, and a long drain would otherwise add idle time to each event.
    let idleCores: Record<string, number> | undefined;
    if (config.BENCH_IDLE_BASELINE > 0) {
      log(`idle baseline: ${config.BENCH_IDLE_BASELINE} s without load`);
      const idleFrom = usage();
      const idleStartedAt = Date.now();
      await sleep(config.BENCH_IDLE_BASELINE * 1000);
      const idleTo = usage();
      const idleSeconds = (Date.now() - idleStartedAt) / 1000;
      idleCores = {};
      for (const [name, to] of Object.entries(idleTo)) {
        const from = idleFrom[name];
        if (from && to) idleCores[name] = Math.max(0, (to.cpuSeconds - from.cpuSeconds) / idleSeconds);
      }
    }
    const drainCounted = async (label: string): Promise<boolean> => {
      const notesBefore = notes.length;
      await drain(label);
      return notes.length === notesBefore;
    };
    let rate = config.BENCH_RATE;
    if (config.BENCH_MODE !== 'rate') {
      log(`max: ${config.BENCH_DURATION} s closed loop, at most ${config.BENCH_MAX_BACKLOG} events in flight`);
      markLoadStart();
      const costStart = await costMark();
      const before = usage();
      const doneBefore = completedEstimate();
      const load = await driver.runMax(
        'max',
        config.BENCH_DURATION,
        config.BENCH_MAX_BACKLOG,
        () => driver.accepted.size - completedEstimate(),
      );
      phases.push({ load, before, after: usage() });
      // /metrics read as the load ends too: the phase's batch and store figures span its whole load.
      await Promise.all([tracker.sampleNow(), scraper.scrapeNow()]);
      await recorderCaughtUp();
      // The second half of the phase: the first fills the queues.
      const stages = stageThroughput(load.startedAt + (load.endedAt - load.startedAt) / 2, load.endedAt);
      // A stage whose batch outlived the half phase shows 0; the slowest stage that committed is the best estimate left.
      const moving = Object.values(stages).filter((v) => v > 0);
      const slowest = Math.min(...moving, Number.POSITIVE_INFINITY);
      const endToEnd = (completedEstimate() - doneBefore) / ((load.endedAt - load.startedAt) / 1000);
      const estimate = Number.isFinite(slowest) ? slowest : endToEnd > 0 ? endToEnd : config.BENCH_RATE;
      for (const [name, v] of Object.entries(stages))
        if (v === 0)
          notes.push(
            `max: ${name} committed nothing in the second half of the phase (one batch longer than ${Math.round((load.endedAt - load.startedAt) / 2000)} s, or stuck)`,
          );
      log(`max: ${load.accepted} events accepted; per stage ${JSON.stringify(stages)} events/s; draining`);
      const drained = await drainCounted('max');
      costWindows.set('max', { start: costStart, end: await costMark(), drained });
      markLoadEnd();
      rate = Math.max(1, Math.round(estimate * config.BENCH_RATE_FRACTION));
    }
    if (config.BENCH_MODE !== 'max') {
      log(`rate: ${config.BENCH_DURATION} s at ${rate} events/s`);
      markLoadStart();
      const costStart = await costMark();
      const before = usage();
      const load = await driver.runRate('rate', rate, config.BENCH_DURATION);
      phases.push({ load, before, after: usage() });
      await scraper.scrapeNow();
      log(`rate: ${load.accepted} events accepted; draining`);
      const drained = await drainCounted('rate');
      costWindows.set('rate', { start: costStart, end: await costMark(), drained });
      markLoadEnd();
    }

    // Let the recorder read everything the pipeline wrote before the analysis.
    const finalSample = await tracker.sampleNow();
    const recorderDeadline = Date.now() + 30000;
    const recordedAll = (): boolean =>
      Object.entries(watchedTopics).every(
        ([key, name]) => recorder.reached(key as keyof typeof watchedTopics) >= sum(finalSample?.highWatermarks.get(name)),
      );
    while (!recordedAll() && Date.now() < recorderDeadline) await sleep(200);
    if (!recordedAll()) notes.push('the recorder had not read every message when the analysis started');

    await scraper.scrapeAll();
    scraper.stop();
    const deadLetters = await countDeadLetters(kafka, prefix);
    await tracker.stop();
    await recorder.stop();
    log('stopping the services (SIGTERM: drain and commit)');
    await stopAll();
    for (const s of running) if (s.exitCode() !== 0) notes.push(`${s.name} exited with ${String(s.exitCode())}: ${s.output().slice(-500)}`);
    // What the services logged (LOG_LEVEL=warn: retries, lost races, dead letters), for whoever reads the figures.
    const logDir = join(repoRoot(), 'bench-results', 'logs', runId);
    mkdirSync(logDir, { recursive: true });
    for (const s of running) writeFileSync(join(logDir, `${s.name}.log`), s.output());
    if (running.length > 0) notes.push(`service logs (warnings and errors, last 64 KiB each): ${logDir}`);

    // ---- analysis
    const ingestRecords = recorder.of('ingestEvents');
    const ingestByMessageId = new Map<string, RecordedMessage>();
    for (const r of ingestRecords) {
      const id = typeof r.data['messageId'] === 'string' ? r.data['messageId'] : r.correlationid;
      if (id !== undefined && !ingestByMessageId.has(id)) ingestByMessageId.set(id, r);
    }
    const identityById = new Map<string, RecordedMessage>();
    for (const r of recorder.of('identityEvents')) if (r.id !== undefined && !identityById.has(r.id)) identityById.set(r.id, r);
    const receivedAtOf = (r: RecordedMessage): number => {
      const at = typeof r.data['receivedAt'] === 'string' ? Date.parse(r.data['receivedAt']) : Number.NaN;
      return Number.isFinite(at) ? at : r.kafkaTs;
    };
    const events = [...driver.accepted.values()].map((a) => {
      const ingest = ingestByMessageId.get(a.messageId);
      return {
        messageId: a.messageId,
        phase: a.phase,
        receivedAt: ingest ? receivedAtOf(ingest) : a.acceptedAt,
        ingest,
        identity: ingest?.id === undefined ? undefined : identityById.get(ingest.id),
      };
    });
    const completions = completionTimes(events, tracker.samples, present);
    const phaseOf = new Map(events.map((e) => [e.messageId, e.phase]));

    const correlator = new Correlator(
      ingestRecords.map((r) => ({
        messageId: typeof r.data['messageId'] === 'string' ? r.data['messageId'] : (r.correlationid ?? ''),
        receivedAt: receivedAtOf(r),
        traceId: r.traceId,
      })),
    );
    const correlation: CorrelationReport[] = [];
    const hops = new Map<string, ReturnType<Correlator['correlate']>['correlated']>();
    for (const key of ['identityEvents', 'valueScores', 'needsProfiles', 'segmentMembership'] as const) {
      const { report, correlated } = correlator.correlate(watchedTopics[key], recorder.of(key));
      correlation.push(report);
      hops.set(watchedTopics[key], correlated);
    }

    const phaseResults: PhaseResult[] = phases.map(({ load, before, after }) => {
      const seconds = (load.endedAt - load.startedAt) / 1000;
      const mine = completions.filter((c) => phaseOf.get(c.messageId) === load.phase);
      const done = completions.filter(
        (c) => c.completedAt !== undefined && c.completedAt >= load.startedAt && c.completedAt <= load.endedAt,
      );
      const lastDone = Math.max(...mine.map((c) => c.completedAt ?? 0));
      const latencyOf = (topic: string) =>
        distribution((hops.get(topic) ?? []).filter((h) => phaseOf.get(h.origin.messageId) === load.phase).map((h) => h.latencyMs));
      const maxLag: PhaseResult['maxLag'] = {};
      for (const stage of downstreamStages) {
        if (!present.has(stage.service)) continue;
        const committed: Record<string, number> = {};
        for (const sample of tracker.samples) {
          if (sample.at < load.startedAt || sample.at > load.endedAt) continue;
          for (const topic of stage.inputs) {
            const lag = lagOf(sample, stage.service, topic);
            if (lag !== undefined) committed[topic] = Math.max(committed[topic] ?? 0, lag);
          }
        }
        maxLag[stage.service] = { committed, reported: scraper.maxLag(stage.service, load.startedAt, load.endedAt) };
      }
      return {
        phase: load.phase,
        mode: load.mode,
        offeredRate: load.offeredRate,
        seconds: round(seconds),
        acceptedPerSecond: round(load.accepted / seconds),
        endToEndPerSecond: round(done.length / seconds),
        endToEndTimeline: perSecond(
          done.map((c) => c.completedAt ?? 0),
          load.startedAt,
          load.endedAt,
        ),
        incomplete: mine.filter((c) => c.completedAt === undefined).length,
        drainSeconds:
          mine.length > 0 && mine.every((c) => c.completedAt !== undefined)
            ? round(Math.max(0, lastDone - load.endedAt) / 1000)
            : undefined,
        httpRequestMs: distribution(load.requestMs),
        httpFailures: { requests: load.failedRequests, events: load.failedEvents, errors: load.errors },
        completionMs: distribution(mine.filter((c) => c.completedAt !== undefined).map((c) => (c.completedAt ?? 0) - c.receivedAt)),
        hopLatencyMs: Object.fromEntries(
          [topics.identityEvents.name, topics.valueScores.name, topics.needsProfiles.name].map((t) => [t, latencyOf(t)]),
        ),
        segmentChangeMs: latencyOf(topics.segmentMembership.name),
        maxLag,
        stageThroughput: stageThroughput(
          load.mode === 'max' ? load.startedAt + (load.endedAt - load.startedAt) / 2 : load.startedAt,
          load.endedAt,
        ),
        batches: Object.fromEntries(running.map((s) => [s.name, scraper.batchStats(s.name, load.startedAt, load.endedAt)])),
        store: Object.fromEntries(running.map((s) => [s.name, scraper.storeStats(s.name, load.startedAt, load.endedAt)])),
        processes: Object.fromEntries(Object.keys(after).map((name) => [name, usageDelta(before[name], after[name], seconds)])),
        cost: phaseCost(
          load,
          before,
          after,
          costWindows.get(load.phase),
          running.map((s) => s.name),
          idleCores,
          committedEvents,
        ),
      };
    });

    for (const stage of stages) {
      if (stage.service === 'ingestion' || stage.status !== 'running') continue;
      const report = correlation.find((c) => c.topic === outputOf(stage.service));
      if (report && report.messages > 0 && report.byCorrelationId < report.messages) {
        notes.push(
          `${stage.service} does not propagate correlationid on ${report.topic} (${report.messages - report.byCorrelationId} of ${report.messages} messages without one); latency matched by traceparent trace id instead`,
        );
      }
    }

    const checks = checkEffects({
      accepted: driver.accepted,
      ingest: ingestRecords,
      identity: recorder.of('identityEvents'),
      changes: recorder.of('identityChanges'),
      value: recorder.of('valueScores'),
      needs: recorder.of('needsProfiles'),
      membership: recorder.of('segmentMembership'),
      running: present,
      deadLetters,
      drained: completions.every((c) => c.completedAt !== undefined),
    });

    const messageBytes: Record<string, number> = {};
    for (const [key, name] of Object.entries(watchedTopics)) {
      const list = recorder.of(key as keyof typeof watchedTopics).filter((r) => !r.tombstone);
      messageBytes[name] = list.length > 0 ? Math.round(list.reduce((s, r) => s + r.bytes, 0) / list.length) : 0;
    }

    const profiles: BenchResult['profiles'] = {};
    for (const service of profiled) {
      const dir = join(profileDir, service);
      // One file per process; a service's worker threads (identity-resolution's training) write their own.
      const files = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.cpuprofile'))
            .sort()
        : [];
      const file = files[0];
      if (!file) {
        profiles[service] = { skipped: `no .cpuprofile written by ${service} in ${dir} (not started, or it did not exit cleanly)` };
        continue;
      }
      const window = loadWindow && Number.isFinite(loadWindow.toUs) ? loadWindow : undefined;
      const summary = summariseCpuProfile(join(dir, file), 20, window);
      profiles[service] = summary.totalMs > 0 || !window ? summary : summariseCpuProfile(join(dir, file));
      if (files.length > 1) notes.push(`${service}: ${files.length} CPU profiles (threads) in ${dir}; the table summarises ${file}`);
    }

    let ceiling: BenchResult['ceiling'] = { skipped: 'disabled (--no-ceiling)' };
    if (config.BENCH_CEILING) {
      log(`ceiling: no-op chain of the same hops, ${config.BENCH_CEILING_DURATION} s`);
      const chain = await runNoopChain({
        brokers,
        prefix: `${prefix}ceiling.`,
        partitions: config.BENCH_PARTITIONS,
        stages: present,
        valueBytes: {
          ingest: messageBytes[topics.ingestEvents.name] || 900,
          identity: messageBytes[topics.identityEvents.name] || 1100,
          value: messageBytes[topics.valueScores.name] || 700,
          needs: messageBytes[topics.needsProfiles.name] || 1200,
          membership: messageBytes[topics.segmentMembership.name] || 500,
        },
        keys: config.BENCH_POPULATION,
        warmupSeconds: 3,
        seconds: config.BENCH_CEILING_DURATION,
        maxBacklog: config.BENCH_MAX_BACKLOG,
      });
      const max = phaseResults.find((p) => p.phase === 'max');
      const saturation = max ? Math.min(...Object.values(max.stageThroughput), Number.POSITIVE_INFINITY) : undefined;
      const pipeline = saturation !== undefined && Number.isFinite(saturation) ? saturation : max?.endToEndPerSecond;
      ceiling = {
        ...chain,
        pipelineEventsPerSecond: pipeline,
        pipelineRatio: pipeline !== undefined && chain.eventsPerSecond > 0 ? round(pipeline / chain.eventsPerSecond, 3) : undefined,
      };
    }

    let databaseCeiling: BenchResult['databaseCeiling'] = { skipped: 'disabled (--no-db-ceiling)' };
    const writers = downstreamStages.filter((s) => present.has(s.service));
    if (config.BENCH_DB_CEILING && writers.length > 0) {
      const max = phaseResults.find((p) => p.phase === 'max');
      // The batch sizes each service saw on its main input at saturation (100 if unknown).
      const stagesWithBatches = writers.map((s) => ({
        service: s.service,
        batchSize: Math.max(1, Math.round(max?.batches[s.service]?.[s.main]?.meanSize ?? 100)),
      }));
      log(
        `database ceiling: one idempotent upsert per event per stage, batches ${JSON.stringify(Object.fromEntries(stagesWithBatches.map((s) => [s.service, s.batchSize])))}, ${config.BENCH_CEILING_DURATION} s`,
      );
      const db = await runDatabaseCeiling({
        mongoUrl: servers.MONGO_URL,
        databasePrefix: `bench_${runId}_ceiling_`,
        stages: stagesWithBatches,
        keys: config.BENCH_POPULATION,
        documentBytes: 1000,
        warmupSeconds: 3,
        seconds: config.BENCH_CEILING_DURATION,
        pids: localServerPids(),
      });
      const saturation = max ? Math.min(...Object.values(max.stageThroughput), Number.POSITIVE_INFINITY) : undefined;
      const pipeline = saturation !== undefined && Number.isFinite(saturation) ? saturation : max?.endToEndPerSecond;
      databaseCeiling = {
        ...db,
        pipelineEventsPerSecond: pipeline,
        pipelineRatio: pipeline !== undefined && db.eventsPerSecond > 0 ? round(pipeline / db.eventsPerSecond, 3) : undefined,
      };
    }

    if (!config.BENCH_KEEP_TOPICS) {
      const deleted = await deleteTopicsWithPrefix(kafka, prefix).catch(() => 0);
      notes.push(`deleted ${deleted} bench topics; databases bench_${runId}_* and Redis keys bench${runId}:* are left for inspection`);
    }

    const { KAFKA_BROKERS: _k, MONGO_URL: _m, REDIS_URL: _r, ...shownConfig } = config;
    return {
      runId,
      startedAt: new Date(began).toISOString(),
      config: shownConfig,
      machine,
      stages,
      phases: phaseResults,
      ceiling,
      databaseCeiling,
      correlation,
      checks,
      messageBytes,
      profiles,
      notes,
      durationSeconds: round((Date.now() - began) / 1000),
    };
  } finally {
    await stopAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The recorder's key of a contract topic it reads, if it reads it. */
function watchedTopicOf(name: string | undefined): WatchedTopic | undefined {
  return (Object.keys(watchedTopics) as WatchedTopic[]).find((key) => watchedTopics[key] === name);
}

/** A phase's cost per event per stage from its cost window (see costMark). */
function phaseCost(
  load: PhaseLoad,
  loadBefore: Record<string, ProcessUsage | undefined>,
  loadAfter: Record<string, ProcessUsage | undefined>,
  window: CostWindow | undefined,
  services: readonly string[],
  idleCores: Record<string, number> | undefined,
  committedEvents: (service: string, from: PartitionOffsets | undefined, to: PartitionOffsets | undefined) => number,
): PhaseCost {
  const stages: Record<string, StageCost> = {};
  if (!window)
    return {
      seconds: 0,
      drained: false,
      events: load.accepted,
      stages,
      idleCores: undefined,
      pipeline: {
        cpuMsPerEvent: undefined,
        cpuMsPerEventNetOfIdle: undefined,
        commandsPerEvent: undefined,
        documentsWrittenPerEvent: undefined,
        bytesWrittenPerEvent: undefined,
        messagesProducedPerEvent: undefined,
      },
    };
  const { start, end } = window;
  for (const service of services) {
    // Ingestion's events are those it accepted, and its work on them ends with the load (its CPU
    // is read over the load alone); a downstream stage's are those it committed on its main input
    // until drained.
    const ingestion = service === 'ingestion';
    const events = ingestion ? load.accepted : committedEvents(service, start.committed[service], end.committed[service]);
    const before = ingestion ? loadBefore[service] : start.usage[service];
    const after = ingestion ? loadAfter[service] : end.usage[service];
    const cpuWindowSeconds = ingestion ? (load.endedAt - load.startedAt) / 1000 : (end.at - start.at) / 1000;
    const idle = idleCores?.[service];
    stages[service] = stageCost({
      events,
      cpuSeconds: before && after ? after.cpuSeconds - before.cpuSeconds : undefined,
      idleCpuSeconds: idle === undefined ? undefined : idle * cpuWindowSeconds,
      counters: counterIncrease(start.counters.get(service), end.counters.get(service)),
    });
  }
  const list = Object.values(stages);
  return {
    seconds: round((end.at - start.at) / 1000),
    drained: window.drained,
    events: load.accepted,
    stages,
    idleCores: idleCores ? Object.fromEntries(services.map((s) => [s, round(idleCores[s] ?? 0, 3)])) : undefined,
    pipeline: {
      cpuMsPerEvent: pipelineTotal(list, (s) => s.cpuMsPerEvent),
      cpuMsPerEventNetOfIdle: pipelineTotal(list, (s) => s.cpuMsPerEventNetOfIdle),
      commandsPerEvent: pipelineTotal(list, (s) => s.commandsPerEvent),
      documentsWrittenPerEvent: pipelineTotal(list, (s) => s.documentsWrittenPerEvent),
      bytesWrittenPerEvent: pipelineTotal(list, (s) => s.bytesWrittenPerEvent, 0),
      messagesProducedPerEvent: pipelineTotal(list, (s) => s.messagesProducedPerEvent),
    },
  };
}

function outputOf(service: string): string | undefined {
  return downstreamStages.find((s) => s.service === service)?.output;
}

async function countDeadLetters(kafka: ReturnType<typeof benchKafka>, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}dlq.`));
    let total = 0;
    for (const name of names) total += (await admin.fetchTopicOffsets(name)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** Writes nothing; ensures bench-results exists for the CLI. */
export function resultsDirectory(): string {
  const dir = join(repoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}
