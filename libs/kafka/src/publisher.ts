import { LRUCache } from 'lru-cache';
import { Context, context as otelContext } from '@opentelemetry/api';
import type { ProducerBatch, ProducerConfig, ProducerEvents, RequestEvent } from 'kafkajs';
import { ICustomPartitioner, Message, Partitioners, TopicMessages } from 'kafkajs';
import { Envelope, TopicDefinition, messageHeaders, parseEnvelope } from '@o2o/contracts';
import { PlatformMetrics, injectTraceContext } from '@o2o/observability';
import { DataKey, DataKeySource, keySubject, sealEvent } from './data-keys';
import { activeBatchTransaction, BatchTransaction } from './exactly-once';
import { TopicNames } from './topic-names';

export interface OutgoingEvent {
  /** Partitioning key (the customer id after identity resolution). */
  key: string;
  event: Envelope;
  /** Trace context of the work that caused this event (the consumed message's span), else the active one. */
  trace?: Context | undefined;
}

/** A null value for a key of a compacted topic: erasure (or merge-away) of the key's state. */
export interface OutgoingTombstone {
  key: string;
  /** Trace context of the work that caused it, else the active one. */
  trace?: Context | undefined;
}

export interface TopicBatch {
  topic: TopicDefinition;
  events: OutgoingEvent[];
  /**
   * Tombstones for keys of this (compacted) topic, sent in the same request after `events`; for
   * a tombstone that must precede an event of the same key, put it in an earlier TopicBatch.
   */
  tombstones?: OutgoingTombstone[];
}

/** Raised when an outgoing event does not satisfy its topic's contract: a bug, never sent. */
export class ContractViolationError extends Error {
  constructor(topic: string, detail: string) {
    super(`event does not match the contract of ${topic}: ${detail}`);
    this.name = 'ContractViolationError';
  }
}

/** How the publisher's producer retries and when a queued send is given up. */
export interface PublisherOptions {
  /**
   * Retries of one send inside the idempotent producer (same producer id and sequence numbers,
   * so a request the broker wrote but could not acknowledge is not written twice). Spans a
   * broker restart: 100 ms doubling to 5 s, about 75 s in all with the default 20.
   */
  sendRetries?: number;
  /** Cap of the backoff between those retries. */
  maxRetryTimeMs?: number;
  /** Upper bound of messages combined into one produce request from concurrent calls. */
  maxMessagesPerRequest?: number;
  /** Event ids remembered as acknowledged (per topic), so a retried batch does not publish them again; 0 turns it off. */
  acknowledgedIdsKept?: number;
  /**
   * Upper bound of bytes (keys, values, headers) combined into one produce request from
   * concurrent calls; a call is never split, so one larger call goes alone. Below the broker's
   * record batch limit (message.max.bytes, 1 MiB by default) however the calls fall on partitions.
   */
  maxBytesPerRequest?: number;
  /**
   * Data keys for sealed topics (`TopicDefinition.sealed`): each event's data is encrypted under
   * its subject's key, fetched once per call for all its subjects. Without it events go in clear
   * (sealing off: tests and tools that read the topics).
   */
  dataKeys?: DataKeySource | undefined;
  /**
   * Writes every produce request inside a Kafka transaction under this id, and commits it only
   * while none of its calls has passed its deadline: a call answered with a timeout is then never
   * written for read-committed readers (every consumer here), where an idempotent producer alone
   * may still land it after the caller was told it failed. The id must be stable per instance and
   * unique across instances: a process started again under it fences its dead predecessor, whose
   * open transaction the broker aborts at once.
   */
  transactionalId?: string | undefined;
  /** How long the broker keeps a transaction open before aborting it (a process that died with one open under an id never used again). */
  transactionTimeoutMs?: number | undefined;
  /**
   * Group commit window of a transactional publisher: the next transaction begins at least this
   * long after the previous one ended, and every call made meanwhile joins it (up to the message
   * and byte bounds). The broker writes a commit's markers after answering the commit; a
   * transaction begun before they are written is refused (CONCURRENT_TRANSACTIONS) and kafkajs
   * retries it after its backoff, which cost ~100 ms per transaction under load. Default 5 ms
   * (no refusal seen in 300 back-to-back transactions on the shared broker at load 14).
   */
  transactionLingerMs?: number | undefined;
}

export interface PublishOptions {
  /**
   * Gives up (rejects) at this time (ms since epoch). A call still queued then is removed and
   * never sent; one already being sent may still be written (the broker decides), as with any
   * unacknowledged request.
   */
  deadline?: number;
  /**
   * Leaves out events whose id this publisher already had acknowledged on the same topic, or
   * that the exactly-once transaction the call joins already holds. Only for events whose id
   * names one state for good (it carries a revision or version): a state that could
   * legitimately come back under an id used before must not set this.
   */
  skipAcknowledged?: boolean;
}

/** Raised when a call's deadline passed before Kafka acknowledged it. */
export class PublishTimeoutError extends Error {
  constructor(
    readonly waitedMs: number,
    /** False when the messages never left the process (the call was still queued). */
    readonly maybeWritten: boolean,
  ) {
    super(`no acknowledgement from Kafka within ${waitedMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * The commit of a transaction failed for good (Kafka away for the whole retry budget): the
 * broker may have committed it or not. Callers must not treat its events as unwritten.
 */
export class TransactionOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super(`the outcome of a transaction commit is unknown: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TransactionOutcomeUnknownError';
  }
}

/** The calls the publisher makes on a transaction of its producer; kafkajs's `Transaction` is one. */
export interface PublisherTransaction {
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * The calls the publisher makes on a producer; kafkajs's `Producer` is one. Unit tests pass a
 * plain object with these few methods instead of a whole kafkajs client.
 */
export interface PublisherProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  /** Called only by a publisher with a transactional id. */
  transaction(): Promise<PublisherTransaction>;
  readonly events: Pick<ProducerEvents, 'REQUEST'>;
  /** Subscribed only by a publisher with a transactional id (it counts AddPartitionsToTxn requests). */
  on(eventName: ProducerEvents['REQUEST'], listener: (event: RequestEvent) => void): unknown;
}

/** Where the publisher gets a producer for each generation; kafkajs's `Kafka` client is one. */
export interface PublisherProducers {
  producer(config: ProducerConfig): PublisherProducer;
}

interface QueuedSend {
  topicMessages: TopicMessages[];
  count: number;
  bytes: number;
  started: boolean;
  settled: boolean;
  /** Its transaction's commit was sent: the deadline no longer applies, the outcome is awaited. */
  committing: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface ProducerGeneration {
  producer: PublisherProducer;
  connected: Promise<void> | undefined;
}

/**
 * Produces enveloped events with acks=all through an idempotent producer, so that a retry of a
 * request the broker wrote but did not acknowledge (a broker restart, a dropped connection) is
 * not written twice.
 *
 * kafkajs gives each produce request its partitions' next sequence numbers and takes them back
 * when the request fails; a different request sent after such a failure would then reuse numbers
 * the broker may already hold and be dropped as a duplicate (or refused as out of order). Hence:
 * one produce request at a time per publisher (concurrent calls wait and are combined into the
 * next request, in call order, so a call costs no extra round trip), kafkajs retries the same
 * request with the same numbers, and a send that fails for good retires the producer: the next
 * request goes out under a new producer id, whose numbers start afresh.
 *
 * Every call resolves only once all in-sync replicas have its messages.
 */
export class KafkaPublisher {
  private generation: ProducerGeneration;
  private readonly queue: QueuedSend[] = [];
  private draining: Promise<void> | undefined;
  private readonly retries: number;
  private readonly maxRetryTimeMs: number;
  private readonly maxMessagesPerRequest: number;
  private readonly maxBytesPerRequest: number;
  private readonly dataKeys: DataKeySource | undefined;
  private readonly transactionalId: string | undefined;
  private readonly transactionTimeoutMs: number;
  private readonly transactionLingerMs: number;
  /** When the last transaction ended (committed or aborted), for the group commit window. */
  private transactionEndedAt = 0;
  /**
   * Produce requests sent (each carrying every call queued when it left), producers retired after
   * a failed one, events not sent again because Kafka had them, aborted transactions, and
   * AddPartitionsToTxn requests sent (one per transaction, more when the broker refused one
   * because it was still completing the previous commit).
   */
  readonly stats = { requests: 0, retiredProducers: 0, skippedAcknowledged: 0, abortedTransactions: 0, addPartitionsRequests: 0 };
  /**
   * Event ids (per topic) Kafka acknowledged from this publisher. A consumer publishes before
   * the database write that records it; when that write fails (a dropped connection, a lost
   * race) the batch is redone and would publish the same events, same ids, a second time.
   * Callers whose ids name one state for good ask (skipAcknowledged) for an event already
   * acknowledged to be left out: one copy on the topic. A process that died in between has
   * forgotten, and consumers deduplicate by id in any case.
   */
  private readonly acknowledged: LRUCache<string, true> | undefined;

  constructor(
    private readonly kafka: PublisherProducers,
    private readonly names: TopicNames,
    private readonly metrics: PlatformMetrics,
    options: PublisherOptions = {},
  ) {
    // kafkajs refuses an idempotent producer without retries.
    this.retries = Math.max(1, options.sendRetries ?? 20);
    this.maxRetryTimeMs = options.maxRetryTimeMs ?? 5000;
    this.maxMessagesPerRequest = options.maxMessagesPerRequest ?? 5000;
    this.maxBytesPerRequest = options.maxBytesPerRequest ?? 512 * 1024;
    const kept = options.acknowledgedIdsKept ?? 100_000;
    this.acknowledged = kept > 0 ? new LRUCache<string, true>({ max: kept }) : undefined;
    this.dataKeys = options.dataKeys;
    this.transactionalId = options.transactionalId;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 30000;
    this.transactionLingerMs = Math.max(0, options.transactionLingerMs ?? 5);
    this.generation = this.newGeneration();
  }

  private newGeneration(): ProducerGeneration {
    const transactional = this.transactionalId !== undefined;
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      // kafkajs serialises an idempotent producer's requests per broker anyway.
      maxInFlightRequests: 1,
      createPartitioner: stablePartitioner,
      // A transactional producer's usual retry is a transaction begun while the broker still
      // completes the previous commit (a few ms): retried after 10 ms rather than 100, with three
      // more retries so that a broker restart is still ridden out for about as long.
      retry: transactional
        ? { retries: this.retries + 3, initialRetryTime: 10, maxRetryTime: this.maxRetryTimeMs }
        : { retries: this.retries, initialRetryTime: 100, maxRetryTime: this.maxRetryTimeMs },
      // Connecting under a transactional id bumps its epoch: an earlier producer under the same
      // id (a retired generation, a killed process) is fenced and its open transaction aborted.
      ...(this.transactionalId !== undefined
        ? { transactionalId: this.transactionalId, transactionTimeout: this.transactionTimeoutMs }
        : {}),
    });
    if (transactional)
      producer.on(producer.events.REQUEST, (event) => {
        if (event.payload.apiName === 'AddPartitionsToTxn') this.stats.addPartitionsRequests++;
      });
    return { producer, connected: undefined };
  }

  connect(): Promise<void> {
    const generation = this.generation;
    generation.connected ??= this.connectGeneration(generation.producer).catch((error: unknown) => {
      generation.connected = undefined;
      throw error;
    });
    return generation.connected;
  }

  /**
   * A transactional producer registers its id at once (an empty transaction, which sends
   * nothing): the epoch bump fences a predecessor under the same id and aborts its open
   * transaction now, rather than at this process's first request, so readers are not held
   * behind it meanwhile.
   */
  private async connectGeneration(producer: PublisherProducer): Promise<void> {
    await producer.connect();
    if (this.transactionalId === undefined) return;
    const transaction = await producer.transaction();
    await transaction.abort();
  }

  /** Waits for the calls already made, then disconnects. */
  async disconnect(): Promise<void> {
    await this.draining;
    const generation = this.generation;
    if (!generation.connected) return;
    generation.connected = undefined;
    await generation.producer.disconnect();
  }

  /**
   * Publishes events and tombstones to one or more topics in a single acknowledged request
   * (e.g. a merge survivor's new state and the merged customer's tombstone), each message with
   * the trace context of its cause. Everything is checked before anything is sent.
   */
  async publish(batches: TopicBatch[], options: PublishOptions = {}): Promise<void> {
    for (const batch of batches) {
      if ((batch.tombstones ?? []).length > 0) assertCompacted(batch.topic);
      for (const e of batch.events) {
        const checked = parseEnvelope(batch.topic, e.event);
        if (!checked.ok) throw new ContractViolationError(batch.topic.name, checked.message);
      }
    }
    const keys = await withinDeadline(this.keysOf(batches), options.deadline);
    // Inside an exactly-once handler call the events are only acknowledged once its transaction commits.
    const transaction = activeBatchTransaction();
    const topicMessages: TopicMessages[] = [];
    const sentIds: string[] = [];
    const traceHeaders = new TraceHeaders();
    for (const batch of batches) {
      const tombstones = batch.tombstones ?? [];
      const topic = this.names.of(batch.topic);
      const events = options.skipAcknowledged
        ? batch.events.filter((e) => !this.known(`${topic} ${e.event.id}`, transaction))
        : batch.events;
      this.stats.skippedAcknowledged += batch.events.length - events.length;
      if (events.length === 0 && tombstones.length === 0) continue;
      for (const e of events) sentIds.push(`${topic} ${e.event.id}`);
      topicMessages.push({
        topic,
        messages: [
          ...events.map((e) => this.toMessage(batch.topic, e, keys, traceHeaders)),
          ...tombstones.map((t) => tombstoneMessage(t, traceHeaders)),
        ],
      });
    }
    // Claimed in the open transaction in the same synchronous step as the check, right before the
    // send: a concurrent call of the transaction (a fetch's topics run together) does not send
    // them too, and a send that fails breaks the transaction (it cannot commit without them).
    if (transaction && options.skipAcknowledged) for (const id of sentIds) transaction.sentIds.add(id);
    await this.send(topicMessages, options);
    const remember = () => {
      for (const id of sentIds) this.acknowledged?.set(id, true);
    };
    // Known the moment the transaction commits, not when its after-commit work runs: that waits
    // for the offsets, and is dropped with partitions lost meanwhile, while the next transaction
    // (or the next message of a batch being split, each committed alone) may touch the same
    // state and publish it again (issue 21).
    if (transaction) transaction.onCommitted(remember);
    else remember();
  }

  /** Whether Kafka has this event from this process for good, or it is already in the open transaction it would join. */
  private known(topicAndId: string, transaction: BatchTransaction | undefined): boolean {
    return this.acknowledged?.has(topicAndId) === true || transaction?.sentIds.has(topicAndId) === true;
  }

  /** The data keys of every subject of the call's sealed topics, in one request to the key store. */
  private async keysOf(batches: TopicBatch[]): Promise<Map<string, DataKey>> {
    if (!this.dataKeys) return new Map();
    const subjects = new Set<string>();
    for (const batch of batches) {
      const kind = batch.topic.sealed;
      if (kind) for (const e of batch.events) subjects.add(keySubject(kind, e.event.subject));
    }
    return subjects.size === 0 ? new Map() : this.dataKeys.forSubjects([...subjects]);
  }

  /** Tombstones (null values) for keys of a compacted topic: erasure of their state. */
  async publishTombstones(topic: TopicDefinition, keys: string[]): Promise<void> {
    await this.publish([{ topic, events: [], tombstones: keys.map((key) => ({ key })) }]);
  }

  /** Sends prepared messages to a named cluster topic (dead letters, raw intake, re-drives). */
  async publishRaw(clusterTopic: string, messages: Message[], options: PublishOptions = {}): Promise<void> {
    await this.send([{ topic: clusterTopic, messages }], options);
  }

  private send(topicMessages: TopicMessages[], options: PublishOptions): Promise<void> {
    const count = topicMessages.reduce((n, t) => n + t.messages.length, 0);
    if (count === 0) return Promise.resolve();
    // A call made by an exactly-once consumer's handler goes into that call's transaction (exactly-once.ts).
    const transaction = activeBatchTransaction();
    if (transaction) return this.sendInBatchTransaction(transaction, topicMessages);
    return new Promise<void>((resolve, reject) => {
      const startedAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const entry: QueuedSend = {
        topicMessages,
        count,
        bytes: topicMessages.reduce((n, t) => n + t.messages.reduce((m, message) => m + messageBytes(message), 0), 0),
        started: false,
        settled: false,
        committing: false,
        resolve: () => {
          if (timer) clearTimeout(timer);
          entry.settled = true;
          resolve();
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          entry.settled = true;
          reject(error);
        },
      };
      if (options.deadline !== undefined) {
        timer = setTimeout(
          () => {
            if (entry.settled || entry.committing) return;
            if (!entry.started) {
              const at = this.queue.indexOf(entry);
              if (at >= 0) this.queue.splice(at, 1);
            }
            entry.settled = true;
            reject(new PublishTimeoutError(Date.now() - startedAt, entry.started && this.transactionalId === undefined));
          },
          Math.max(0, options.deadline - Date.now()),
        );
      }
      this.queue.push(entry);
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  private async sendInBatchTransaction(transaction: BatchTransaction, topicMessages: TopicMessages[]): Promise<void> {
    await transaction.send(topicMessages);
    for (const t of topicMessages) this.metrics.eventsProduced.inc({ topic: t.topic }, t.messages.length);
  }

  /** One produce request at a time: the calls queued meanwhile go together in the next one. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.transactionalId !== undefined) {
        // The group commit window: calls made while it lasts join the transaction below.
        const wait = this.transactionEndedAt + this.transactionLingerMs - Date.now();
        if (wait > 0) await sleep(wait);
        if (this.queue.length === 0) break;
      }
      const group: QueuedSend[] = [];
      let size = 0;
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (!next || (group.length > 0 && (size + next.count > this.maxMessagesPerRequest || bytes + next.bytes > this.maxBytesPerRequest)))
          break;
        this.queue.shift();
        next.started = true;
        group.push(next);
        size += next.count;
        bytes += next.bytes;
      }
      const generation = this.generation;
      try {
        await this.connect();
        this.stats.requests++;
        if (this.transactionalId !== undefined) {
          if (!(await this.sendInTransaction(generation, group))) continue;
        } else await generation.producer.sendBatch({ acks: -1, timeout: 30000, topicMessages: group.flatMap((g) => g.topicMessages) });
        for (const g of group) {
          for (const t of g.topicMessages) this.metrics.eventsProduced.inc({ topic: t.topic }, t.messages.length);
          g.resolve();
        }
      } catch (error) {
        // The broker may hold part of this request under sequence numbers kafkajs has taken
        // back: no other request may be sent under this producer id.
        this.retire(generation);
        for (const g of group) if (!g.settled) g.reject(error);
      }
    }
  }

  /**
   * One transaction for the group: produce, then commit only if no call of the group has been
   * given up meanwhile (its caller was told it failed). Otherwise the transaction is aborted and
   * the calls still waiting go back to the head of the queue, to be sent again in the next one.
   * Answers false when it aborted (nothing of the group is written).
   */
  private async sendInTransaction(generation: ProducerGeneration, group: QueuedSend[]): Promise<boolean> {
    try {
      return await this.transact(generation, group);
    } finally {
      this.transactionEndedAt = Date.now();
    }
  }

  private async transact(generation: ProducerGeneration, group: QueuedSend[]): Promise<boolean> {
    const transaction = await generation.producer.transaction();
    try {
      await transaction.sendBatch({ acks: -1, timeout: 30000, topicMessages: group.flatMap((g) => g.topicMessages) });
    } catch (error) {
      await this.abort(generation, transaction);
      throw error;
    }
    const waiting = group.filter((g) => !g.settled);
    if (waiting.length < group.length) {
      this.stats.abortedTransactions++;
      await this.abort(generation, transaction);
      for (const g of waiting) g.started = false;
      this.queue.unshift(...waiting);
      return false;
    }
    for (const g of group) g.committing = true;
    try {
      await transaction.commit();
    } catch (error) {
      this.retire(generation);
      for (const g of group) g.reject(new TransactionOutcomeUnknownError(error));
      return false;
    }
    return true;
  }

  /** An abort that fails is completed by the next generation: connecting under the same id aborts what is open. */
  private async abort(generation: ProducerGeneration, transaction: { abort(): Promise<void> }): Promise<void> {
    try {
      await transaction.abort();
    } catch {
      this.retire(generation);
    }
  }

  private retire(generation: ProducerGeneration): void {
    if (this.generation !== generation) return;
    this.stats.retiredProducers++;
    this.generation = this.newGeneration();
    if (generation.connected) void generation.producer.disconnect().catch(() => undefined);
  }

  private toMessage(topic: TopicDefinition, outgoing: OutgoingEvent, keys: Map<string, DataKey>, traceHeaders: TraceHeaders): Message {
    // A sealed event is serialised once, sealed: not also in clear first (~2 µs per event).
    let value: string;
    if (topic.sealed && this.dataKeys) {
      const key = keys.get(keySubject(topic.sealed, outgoing.event.subject));
      if (!key) throw new Error(`no data key for an event of ${topic.name}`);
      value = JSON.stringify(sealEvent(outgoing.event, key));
    } else value = JSON.stringify(outgoing.event);
    return {
      key: outgoing.key,
      value,
      headers: {
        ...traceHeaders.of(outgoing.trace),
        [messageHeaders.eventType]: outgoing.event.type,
        [messageHeaders.eventVersion]: String(outgoing.event.version),
        [messageHeaders.eventId]: outgoing.event.id,
        [messageHeaders.subject]: outgoing.event.subject,
        [messageHeaders.contentType]: 'application/json',
      },
    };
  }
}

/** The data keys a call needs count against its deadline: a key store that does not answer is a write that does not happen. */
async function withinDeadline<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeoutError(Date.now() - started, false)), Math.max(0, deadline - started));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function assertCompacted(topic: TopicDefinition): void {
  if (topic.cleanupPolicy !== 'compact') throw new Error(`${topic.name} is not compacted; tombstones are meaningless there`);
}

function tombstoneMessage(tombstone: OutgoingTombstone, traceHeaders: TraceHeaders): Message {
  return {
    key: tombstone.key,
    value: null,
    headers: { ...traceHeaders.of(tombstone.trace), [messageHeaders.subject]: tombstone.key },
  };
}

/**
 * The W3C headers of each trace context of one call, injected once per context: the events of
 * an HTTP request (ingestion) or of one consumed message share theirs. Each message spreads them
 * into its own headers, so sharing the carrier is safe.
 */
class TraceHeaders {
  private readonly byContext = new Map<Context, Record<string, string>>();

  of(trace: Context | undefined): Record<string, string> {
    const ctx = trace ?? otelContext.active();
    let headers = this.byContext.get(ctx);
    if (!headers) {
      headers = injectTraceContext(ctx);
      this.byContext.set(ctx, headers);
    }
    return headers;
  }
}

/**
 * kafkajs's default partitioner (murmur2 of the key), with a message without key placed by its
 * value instead of round robin: a retried request must put every message on the partition it
 * had, or the idempotent producer's sequence numbers would no longer match what was written.
 */
export const stablePartitioner: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) =>
    byKey({
      topic,
      partitionMetadata,
      message: message.key === null || message.key === undefined ? { ...message, key: message.value ?? '' } : message,
    });
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageBytes(message: Message): number {
  const length = (value: Buffer | string | null | undefined): number =>
    value === null || value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  let n = length(message.key) + length(message.value) + 16;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    n += Buffer.byteLength(name);
    if (Array.isArray(value)) for (const v of value) n += length(v);
    else n += length(value as Buffer | string | undefined);
  }
  return n;
}
