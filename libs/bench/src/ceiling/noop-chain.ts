import { Consumer, IHeaders, Message, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { StageName } from '../analysis/completion';
import {
  benchKafka,
  gatherBatches,
  serviceConsumerConfig,
  serviceProducerConfig,
  serviceRunConfig,
  serviceSendOptions,
  topicConfig,
} from '../kafka/client-settings';
import { sleep } from '../load/load-driver';
import { readProcessUsage, usageDelta, UsageDelta } from '../processes/process-usage';

export interface NoopChainOptions {
  brokers: string[];
  /** Topic prefix of the chain (private to the run). */
  prefix: string;
  partitions: number;
  /** The pipeline stages that ran: the chain has the same hops. */
  stages: ReadonlySet<StageName>;
  /** Mean value bytes per hop topic, measured in the pipeline run. */
  valueBytes: { ingest: number; identity: number; value: number; needs: number; membership: number };
  keys: number;
  warmupSeconds: number;
  seconds: number;
  maxBacklog: number;
}

export interface NoopChainResult {
  hops: string[];
  /** Messages through the whole chain per second over the measured window. */
  eventsPerSecond: number;
  delivered: number;
  windowSeconds: number;
  perSecond: number[];
  /** CPU of this (single-threaded) process during the window: ~1.0 means the client, not the broker, was the limit. */
  benchProcess: UsageDelta | undefined;
}

type Hop = 'ingest' | 'identity' | 'value' | 'needs' | 'membership';

/**
 * The ceiling: the pipeline's Kafka hops with no work in between. Same kafkajs client, consumer
 * and producer settings as libs/kafka (eachBatch, commit after each batch, sendBatch with
 * acks=-1), same partitions, values of the sizes measured in the pipeline, and the same fan-out
 * (identity.events read by value, needs and campaign). Fed closed-loop with the same backlog
 * bound as the pipeline's max mode, so both are measured the same way.
 */
export async function runNoopChain(options: NoopChainOptions): Promise<NoopChainResult> {
  const name = (hop: Hop) => `${options.prefix}${hop}`;
  const { stages } = options;
  const relays: Array<{ service: string; from: Hop[]; forward: Hop | undefined; to: Hop }> = [];
  if (stages.has('identity-resolution')) relays.push({ service: 'identity', from: ['ingest'], forward: 'ingest', to: 'identity' });
  if (stages.has('value-scoring')) relays.push({ service: 'value', from: ['identity'], forward: 'identity', to: 'value' });
  if (stages.has('needs-profiling')) relays.push({ service: 'needs', from: ['identity'], forward: 'identity', to: 'needs' });
  if (stages.has('campaign-customization')) {
    const from: Hop[] = [
      'identity',
      ...(stages.has('value-scoring') ? (['value'] as Hop[]) : []),
      ...(stages.has('needs-profiling') ? (['needs'] as Hop[]) : []),
    ];
    // The critical path runs through value scoring (or whatever campaign's last input is); the
    // other inputs are consumed and dropped, as campaign consumes every identity event.
    relays.push({ service: 'campaign', from, forward: from[1] ?? 'identity', to: 'membership' });
  }
  const sinkHop: Hop =
    relays.find((r) => r.service === 'campaign')?.to ??
    relays.find((r) => r.service === 'value')?.to ??
    relays[relays.length - 1]?.to ??
    'ingest';
  const used = new Set<Hop>(['ingest', ...relays.map((r) => r.to)]);

  const admin = benchKafka(options.brokers, 'bench-ceiling-admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [...used].map((h) => topicConfig(name(h), options.partitions, 'delete')), waitForLeaders: true });
  await admin.disconnect();

  const payload = (hop: Hop) =>
    randomBytes(Math.max(16, Math.round(options.valueBytes[hop] * 0.75)))
      .toString('base64')
      .slice(0, Math.max(16, options.valueBytes[hop]));
  const values: Record<Hop, Buffer> = {
    ingest: Buffer.from(payload('ingest')),
    identity: Buffer.from(payload('identity')),
    value: Buffer.from(payload('value')),
    needs: Buffer.from(payload('needs')),
    membership: Buffer.from(payload('membership')),
  };
  const headers = (): IHeaders => ({
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    ce_type: 'customer-event.received',
    ce_version: '1',
    ce_id: randomBytes(16).toString('hex'),
    'content-type': 'application/json',
  });

  const consumers: Consumer[] = [];
  const producers: Producer[] = [];
  for (const relay of relays) {
    const kafka = benchKafka(options.brokers, `ceiling-${relay.service}`);
    const producer = kafka.producer(serviceProducerConfig);
    await producer.connect();
    producers.push(producer);
    const consumer = kafka.consumer(serviceConsumerConfig(`${options.prefix}${relay.service}`));
    await consumer.connect();
    for (const hop of relay.from) await consumer.subscribe({ topic: name(hop), fromBeginning: true });
    await consumer.run({
      ...serviceRunConfig,
      eachBatch: gatherBatches(async (topic, batchMessages) => {
        if (topic !== name(relay.forward ?? 'ingest')) return;
        const messages: Message[] = batchMessages.map((m) => ({ key: m.key, value: values[relay.to], headers: m.headers ?? {} }));
        await producer.sendBatch({ ...serviceSendOptions, topicMessages: [{ topic: name(relay.to), messages }] });
      }),
    });
    consumers.push(consumer);
  }

  const arrivals: number[] = [];
  const sinkKafka = benchKafka(options.brokers, 'ceiling-sink');
  const sink = sinkKafka.consumer(serviceConsumerConfig(`${options.prefix}sink`));
  await sink.connect();
  await sink.subscribe({ topic: name(sinkHop), fromBeginning: true });
  const sinkJoined = new Promise<void>((resolve) => sink.on(sink.events.GROUP_JOIN, () => resolve()));
  await sink.run({
    ...serviceRunConfig,
    eachBatch: gatherBatches(async (_topic, messages) => {
      const now = Date.now();
      for (let i = 0; i < messages.length; i++) arrivals.push(now);
    }),
  });
  await sinkJoined;
  // Relays join their groups in the background; give them the time the services get at boot.
  await sleep(3000);

  const feeder = benchKafka(options.brokers, 'ceiling-feeder').producer(serviceProducerConfig);
  await feeder.connect();
  const started = Date.now();
  const windowStart = started + options.warmupSeconds * 1000;
  const end = windowStart + options.seconds * 1000;
  let produced = 0;
  let usageBefore: ReturnType<typeof readProcessUsage>;
  const feed = async (): Promise<void> => {
    let n = 0;
    while (Date.now() < end) {
      if (produced - arrivals.length + 100 > options.maxBacklog) {
        await sleep(2);
        continue;
      }
      const messages: Message[] = Array.from({ length: 100 }, () => ({
        key: `cus_${n++ % options.keys}`,
        value: values.ingest,
        headers: headers(),
      }));
      produced += messages.length;
      await feeder.sendBatch({ ...serviceSendOptions, topicMessages: [{ topic: name('ingest'), messages }] });
    }
  };
  const timer = setTimeout(() => (usageBefore = readProcessUsage(process.pid)), options.warmupSeconds * 1000);
  // Several feeders, as ingestion answers several HTTP requests at once.
  await Promise.all([feed(), feed(), feed(), feed()]);
  clearTimeout(timer);
  const benchProcess = usageDelta(usageBefore, readProcessUsage(process.pid), options.seconds);
  const delivered = arrivals.filter((t) => t >= windowStart && t < end).length;
  const perSecond: number[] = new Array<number>(options.seconds).fill(0);
  for (const t of arrivals) {
    const i = Math.floor((t - windowStart) / 1000);
    if (i >= 0 && i < options.seconds) perSecond[i] = (perSecond[i] ?? 0) + 1;
  }

  await Promise.all([feeder.disconnect(), sink.disconnect(), ...consumers.map((c) => c.disconnect())]);
  await Promise.all(producers.map((p) => p.disconnect()));
  return {
    hops: ['feeder', ...relays.map((r) => `${r.service}(${r.from.join('+')}->${r.to})`), `sink(${sinkHop})`],
    eventsPerSecond: Math.round(delivered / options.seconds),
    delivered,
    windowSeconds: options.seconds,
    perSecond,
    benchProcess,
  };
}
