import { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { topics } from '@o2o/contracts';
import { ReadPositions } from '@o2o/testing';

/** What the bench keeps of one message: enough to correlate, time and check it, nothing more. */
export interface RecordedMessage {
  partition: number;
  offset: number;
  /** Producer timestamp (CreateTime): when the producing service built the message. */
  kafkaTs: number;
  key: string | null;
  /** Envelope id; undefined for tombstones. */
  id: string | undefined;
  correlationid: string | undefined;
  /** Trace id of the W3C traceparent header. */
  traceId: string | undefined;
  bytes: number;
  headerBytes: number;
  tombstone: boolean;
  /** Payload fields some checks need, per topic. */
  data: Record<string, unknown>;
}

/** The contract topics the bench watches, by their contract name. */
export const watchedTopics = {
  ingestEvents: topics.ingestEvents.name,
  identityEvents: topics.identityEvents.name,
  identityChanges: topics.identityChanges.name,
  valueScores: topics.valueScores.name,
  needsProfiles: topics.needsProfiles.name,
  segmentMembership: topics.segmentMembership.name,
} as const;
export type WatchedTopic = keyof typeof watchedTopics;

/** Payload fields kept per topic (the rest of the payload is dropped at once to bound memory). */
const keptFields: Record<WatchedTopic, readonly string[]> = {
  ingestEvents: ['messageId', 'receivedAt'],
  identityEvents: ['customerId', 'messageId', 'event', 'userId'],
  identityChanges: ['survivorId', 'mergedId'],
  valueScores: ['customerId', 'purchases', 'revenue'],
  needsProfiles: ['customerId', 'stage'],
  segmentMembership: ['customerId', 'segmentId', 'change', 'sequence'],
};

/**
 * Reads the run's topics from the beginning in a group of its own, in batches (it shares the
 * machine's two cores with the pipeline it measures, so it parses each value once and keeps
 * only a few fields).
 */
export class TopicRecorder {
  readonly records = new Map<WatchedTopic, RecordedMessage[]>(Object.keys(watchedTopics).map((k) => [k as WatchedTopic, []]));
  private readonly consumer: Consumer;
  private readonly byClusterName = new Map<string, WatchedTopic>();
  private readonly positions: ReadPositions;
  private readonly seen = new Set<string>();
  /** Records delivered again at an offset already recorded (kept once). */
  reread = 0;

  constructor(kafka: Kafka, prefix: string) {
    this.consumer = kafka.consumer({
      groupId: `${prefix}bench-recorder`,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    for (const [key, name] of Object.entries(watchedTopics)) this.byClusterName.set(`${prefix}${name}`, key as WatchedTopic);
    this.positions = new ReadPositions(this.consumer);
    this.prefix = prefix;
  }

  private readonly prefix: string;

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.byClusterName.keys()) await this.consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        const watched = this.byClusterName.get(batch.topic);
        if (!watched) return;
        const list = this.records.get(watched);
        if (!list) return;
        for (const message of batch.messages) {
          // A consumer that restarts (a broker restart or rebalance before its commit) reads from
          // its last committed offset again: the same record, not a copy of it.
          const at = `${batch.topic}/${batch.partition}/${message.offset}`;
          if (this.seen.has(at)) {
            this.reread++;
            continue;
          }
          this.seen.add(at);
          list.push(record(watched, batch.partition, message));
        }
      },
    });
    await joined;
  }

  /**
   * Offsets read on a topic, summed over its partitions: compare with its summed high watermarks
   * (a message count falls short of them by the markers of a transactional topic, ingest.events).
   */
  reached(topic: WatchedTopic): number {
    return this.positions.total(`${this.prefix}${watchedTopics[topic]}`);
  }

  /**
   * Messages recorded on a topic below a next offset per partition (a consumer group's committed
   * offsets; -1 or none: nothing): what the group consumed, without the markers a transactional
   * producer's commits leave at offsets of their own. Exact once the recorder has read that far.
   */
  messagesBelow(topic: WatchedTopic, nextOffsets: readonly (number | undefined)[]): number {
    const partitions = this.offsetIndex(topic);
    let count = 0;
    nextOffsets.forEach((next, partition) => {
      if (next !== undefined && next > 0) count += countBelow(partitions.get(partition) ?? [], next);
    });
    return count;
  }

  /** Whether the recorder has read every partition of a topic up to these next offsets. */
  hasRead(topic: WatchedTopic, nextOffsets: readonly (number | undefined)[]): boolean {
    const name = `${this.prefix}${watchedTopics[topic]}`;
    return nextOffsets.every((next, partition) => next === undefined || next <= 0 || this.positions.of(name, partition) >= next);
  }

  private readonly indexes = new Map<WatchedTopic, { size: number; partitions: Map<number, number[]> }>();

  /** Each partition's recorded offsets in order, rebuilt when more were recorded. */
  private offsetIndex(topic: WatchedTopic): Map<number, number[]> {
    const list = this.of(topic);
    const cached = this.indexes.get(topic);
    if (cached && cached.size === list.length) return cached.partitions;
    const partitions = new Map<number, number[]>();
    for (const r of list) {
      let offsets = partitions.get(r.partition);
      if (!offsets) partitions.set(r.partition, (offsets = []));
      offsets.push(r.offset);
    }
    for (const offsets of partitions.values()) offsets.sort((a, b) => a - b);
    this.indexes.set(topic, { size: list.length, partitions });
    return partitions;
  }

  of(topic: WatchedTopic): RecordedMessage[] {
    return this.records.get(topic) ?? [];
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function record(topic: WatchedTopic, partition: number, message: KafkaMessage): RecordedMessage {
  const value = message.value;
  const headers = message.headers ?? {};
  const base = {
    partition,
    offset: Number(message.offset),
    kafkaTs: Number(message.timestamp),
    key: message.key ? message.key.toString('utf8') : null,
    traceId: traceIdOf(headers),
    bytes: value?.length ?? 0,
    headerBytes: headerSize(headers),
  };
  if (!value || value.length === 0) return { ...base, id: undefined, correlationid: undefined, tombstone: true, data: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ...base, id: undefined, correlationid: undefined, tombstone: false, data: { invalidJson: true } };
  }
  const envelope = isObject(parsed) ? parsed : {};
  const payload = isObject(envelope['data']) ? envelope['data'] : {};
  const data: Record<string, unknown> = { type: envelope['type'] };
  for (const field of keptFields[topic]) if (payload[field] !== undefined) data[field] = payload[field];
  if (topic === 'identityEvents' && isObject(payload['properties'])) {
    const properties = payload['properties'];
    if (properties['order_id'] !== undefined) data['orderId'] = properties['order_id'];
  }
  return {
    ...base,
    id: typeof envelope['id'] === 'string' ? envelope['id'] : undefined,
    correlationid: typeof envelope['correlationid'] === 'string' ? envelope['correlationid'] : undefined,
    tombstone: false,
    data,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function traceIdOf(headers: IHeaders): string | undefined {
  const raw = headers['traceparent'];
  const text = Array.isArray(raw) ? raw[0]?.toString() : raw?.toString();
  return text?.split('-')[1];
}

function headerSize(headers: IHeaders): number {
  let size = 0;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    size += k.length + (Array.isArray(v) ? v.reduce((s, x) => s + x.length, 0) : v.length);
  }
  return size;
}

/** How many of the sorted offsets are below `next`. */
function countBelow(sorted: readonly number[], next: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < next) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
