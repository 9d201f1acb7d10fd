import { Catch, RpcExceptionFilter, UseFilters, applyDecorators } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, EventPattern, Server } from '@nestjs/microservices';
import { Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import {
  DeadLetterReason,
  EnvelopedTopicKey,
  TopicDefinition,
  TopicEvent,
  deadLetterHeaders,
  parseEnvelope,
  topics,
} from '@o2o/contracts';
import { Logger, PlatformMetrics, extractTraceContext, spansExported, tracer } from '@o2o/observability';
import { DataKeySource, keySubject, openEvent, SealBrokenError, sealDeadLetter, sealedDeadLetterHeader, sealedDeadLetterKeyId, sealedKeyId, subjectKindOf } from './data-keys';
import { BatchTransaction, ExactlyOnceBatches } from './exactly-once';
import { isTransientFailure, TransientError } from './failure-kind';
import { KafkaPublisher } from './publisher';
import { TopicNames } from './topic-names';

interface ConsumedBase {
  key: string | null;
  partition: number;
  offset: string;
  /** Broker timestamp of the message (ms since epoch, as a string like kafkajs gives it). */
  timestamp: string;
  headers: IHeaders;
  /** Context of this message's processing span: pass it to the publisher to continue the trace. */
  trace: Context;
}
/** A message whose value parsed as one of the topic's envelopes. */
export interface ConsumedEvent<E> extends ConsumedBase {
  kind: 'event';
  event: E;
}
/** A null value on a compacted topic: the key's state was erased. */
export interface ConsumedTombstone extends ConsumedBase {
  kind: 'tombstone';
  key: string;
}
/** A message on a raw (non-enveloped) topic, e.g. the intake. */
export interface ConsumedRaw extends ConsumedBase {
  kind: 'raw';
  value: Buffer;
}
export type ConsumedMessage<E> = ConsumedEvent<E> | ConsumedTombstone;

/**
 * One handler call: the messages of one topic from every partition batch of one fetch (each
 * message says its partition), in partition order within each partition.
 */
export interface ConsumedBatch<M> {
  topic: TopicDefinition;
  clusterTopic: string;
  partitions: number[];
  messages: M[];
}

/** What a handler of an enveloped topic receives. */
export type EventBatch<K extends EnvelopedTopicKey> = ConsumedBatch<ConsumedMessage<TopicEvent<K>>>;
/** What a handler of a raw topic receives. */
export type RawBatch = ConsumedBatch<ConsumedRaw>;

interface DeadLetter {
  message: KafkaMessage;
  partition: number;
  reason: DeadLetterReason | string;
  error: string;
  attempts: number;
}

/** The context handlers receive next to the batch: lets them dead-letter single messages. */
export class KafkaBatchContext extends BaseRpcContext<[string, number[]]> {
  readonly rejected: Array<{ partition: number; offset: string; reason: string; error: string }> = [];

  constructor(topic: string, partitions: number[]) {
    super([topic, partitions]);
  }

  /** Sends one message to the dead-letter topic with a reason instead of failing the whole batch. */
  reject(message: { partition: number; offset: string }, reason: string, error: string): void {
    this.rejected.push({ partition: message.partition, offset: message.offset, reason, error });
  }
}

/** One partition batch kafkajs handed to eachBatch, waiting for the handler call it joins. */
interface PartitionBatch {
  payload: EachBatchPayload;
  contractName: string;
  definition: TopicDefinition;
  /** Set when a rebalance gave the partition to another member while the call was retried. */
  stale: boolean;
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

interface DecodedItem {
  source: KafkaMessage;
  partition: number;
  owner: PartitionBatch;
  consumed: ConsumedEvent<unknown> | ConsumedTombstone | ConsumedRaw;
  /** The message's processing span; absent when no span is exported (its trace then continues from the producer's context). */
  span: Span | undefined;
}

const DEFAULT_MAX_BATCH_MESSAGES = 500;
const DEFAULT_PARTITIONS_CONCURRENCY = 64;

/** Whole partition batches, in order, into calls of at most `limit` messages (a bigger batch goes alone). */
function groupUpTo(members: PartitionBatch[], limit: number): PartitionBatch[][] {
  const groups: PartitionBatch[][] = [];
  let current: PartitionBatch[] = [];
  let size = 0;
  for (const member of members) {
    const n = member.payload.batch.messages.length;
    if (current.length > 0 && size + n > limit) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(member);
    size += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

@Catch()
class PropagateErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    // Nest's default RPC filter replaces errors with a generic object; the transport needs the
    // original to retry, isolate and dead-letter with the real reason.
    return throwError(() => exception);
  }
}

/** Marks a controller method as the batch handler of a contract topic. */
export function BatchHandler(topic: TopicDefinition): MethodDecorator {
  return applyDecorators(EventPattern(topic.name), UseFilters(new PropagateErrorsFilter()));
}

export interface BatchTransportOptions {
  kafka: Kafka;
  names: TopicNames;
  groupId: string;
  publisher: KafkaPublisher;
  metrics: PlatformMetrics;
  logger: Logger;
  fromBeginning: boolean;
  /**
   * Attempts after the first before a batch is split and poison messages are dead-lettered.
   * Failures of the infrastructure (isTransientFailure) do not count: they are retried for as long
   * as they last.
   */
  retries: number;
  /** First backoff between attempts (doubling). */
  retryBackoffMs?: number;
  /** Cap of the backoff while the infrastructure is away (default 5 s). */
  maxRetryBackoffMs?: number;
  /**
   * Partition batches of one fetch kafkajs hands over at once (its partitionsConsumedConcurrently);
   * those of one topic are combined into one handler call. At least the partitions one instance
   * is assigned, so that a fetch is handled in one call per topic.
   */
  partitionsConsumedConcurrently?: number;
  /** Upper bound of messages in one handler call (whole partition batches are combined up to it). */
  maxBatchMessages?: number;
  /**
   * Start the calls of one fetch's topics together instead of one after the other; the next
   * fetch's calls still wait for all of them. For services whose handlers of several topics
   * feed one writer that combines concurrent calls (libs/mongo CoalescingGate), so one fetch
   * costs one read and one write per customer. Handlers must already be safe against a
   * concurrent writer (they are against other instances).
   */
  concurrentTopics?: boolean;
  /**
   * Subjects (customer ids) whose messages must be skipped, e.g. erased customers: a replay of
   * a topic from the beginning must not bring them back. Called once per batch.
   */
  skipSubjects?: (topic: TopicDefinition, subjects: string[]) => Promise<Set<string>>;
  /**
   * Data keys: sealed events are opened with them (the keys a batch needs, in one request), and
   * dead letters not already sealed are sealed under their subject's key. A sealed event whose
   * key was destroyed is an erased one: skipped and counted, never dead-lettered.
   */
  dataKeys?: DataKeySource | undefined;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** How often consumer lag is read from committed and end offsets (0: never). */
  lagPollIntervalMs?: number;
  /**
   * Every handler call in a Kafka transaction with its batch's offsets (exactly-once.ts): what
   * it publishes, its dead letters and its progress commit together. With concurrentTopics, one
   * transaction for all the calls of a fetch (their writer combines them).
   */
  exactlyOnce?: ExactlyOnceBatches | undefined;
}

const topicByName = new Map<string, TopicDefinition>(Object.values(topics).map((t) => [t.name, t as TopicDefinition]));

/**
 * A @nestjs/microservices transport on kafkajs eachBatch: one handler call per batch, offsets
 * resolved and committed only after the handler's effects are stored.
 *
 * Transient versus poison: a call that fails because the infrastructure is away (MongoDB, Redis
 * or Kafka unreachable, timing out, not primary: isTransientFailure) is retried with a capped
 * backoff for as long as it takes, holding its partitions (kafkajs fetches no more of a partition
 * whose batch is in flight; heartbeats keep the membership) and reporting not-ready meanwhile.
 * Nothing is skipped or committed, so per-key order holds. Any other failure is retried a few
 * times, then the batch is split so that only the message that keeps failing on its own goes to
 * the consumer group's dead-letter topic, with its origin and error in headers.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;
  private joined!: Promise<void>;
  private resolveJoined!: () => void;
  private crashed: Error | undefined;
  /** Set by close(): a consumer that crashes from then on is neither restarted by kafkajs nor by us. */
  private closed = false;
  private lagTimer: NodeJS.Timeout | undefined;
  private lagAdmin: Admin | undefined;
  private readonly gathering = new Map<string, PartitionBatch[]>();
  private flushScheduled = false;
  /** Handler calls run one after another: the tail of that chain. */
  private running: Promise<void> = Promise.resolve();
  /** Topics whose call is waiting for the infrastructure to come back, with the time it started. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly options: BatchTransportOptions) {
    super();
    this.resetJoined();
  }

  private resetJoined(): void {
    this.joined = new Promise((resolve) => {
      this.resolveJoined = resolve;
    });
  }

  /** Resolves once the consumer joined its group (tests wait for it before producing). */
  whenJoined(): Promise<void> {
    return this.joined;
  }

  /** Readiness: running, not crashed, and not waiting for an unreachable database, cache or broker. */
  isHealthy(): boolean {
    return this.consumer !== undefined && this.crashed === undefined && this.waiting.size === 0;
  }

  /** Topics whose batch is waiting for the infrastructure (for health details and tests). */
  waitingTopics(): string[] {
    return [...this.waiting.keys()];
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = undefined;
    const admin = this.lagAdmin;
    this.lagAdmin = undefined;
    await admin?.disconnect().catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() stops fetching, waits for the in-flight batch to finish (its offsets are
    // committed at its end) and leaves the group so partitions move to other instances at once.
    await consumer?.disconnect();
    await this.options.exactlyOnce?.disconnect();
  }

  on(): void {
    throw new Error('KafkaBatchTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const { kafka, names, groupId } = this.options;
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length === 0) return;
    const consumer = kafka.consumer({
      groupId: `${names.prefix}${groupId}`,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1024 * 1024,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer on its own timer, which close() cannot cancel if the
      // crash is being handled when it runs: a consumer restarted after close() would outlive
      // the application (and its start failing then is an unhandled rejection).
      retry: { retries: 5, restartOnFailure: async () => !this.closed },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => this.resolveJoined());
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.options.logger.error({ err: error, groupId, restart: event.payload.restart }, 'kafka consumer crashed');
      if (!event.payload.restart && !this.closed) {
        // kafkajs gives up on errors it deems fatal (seen after a broker restart); an intake
        // that stays down loses nothing but stops the flow, so start a fresh consumer.
        this.crashed = error;
        this.scheduleRestart(consumer);
      }
    });
    await this.options.exactlyOnce?.connect();
    await consumer.connect();
    for (const pattern of patterns) {
      const definition = topicByName.get(pattern);
      if (!definition) throw new Error(`@BatchHandler for unknown topic ${pattern}: add it to libs/contracts topics`);
      await consumer.subscribe({ topic: names.of(definition), fromBeginning: this.options.fromBeginning });
    }
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONCURRENCY,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.startLagPolling(patterns);
  }

  /**
   * Consumer lag per partition from the group's committed offsets and the topics' end offsets,
   * polled: a per-batch figure would never update partitions that are waiting their turn, and
   * lag is what operators scale on.
   */
  private startLagPolling(patterns: string[]): void {
    const intervalMs = this.options.lagPollIntervalMs ?? 10000;
    if (intervalMs <= 0 || this.lagTimer) return;
    const { kafka, names, groupId, metrics } = this.options;
    const admin = kafka.admin();
    let connected: Promise<void> | undefined;
    const poll = async () => {
      try {
        connected ??= admin.connect().then(
          () => {
            this.lagAdmin = admin;
          },
          (error: unknown) => {
            connected = undefined;
            throw error;
          },
        );
        await connected;
        for (const pattern of patterns) {
          const definition = topicByName.get(pattern);
          if (!definition) continue;
          const topic = names.of(definition);
          const [ends, committed] = await Promise.all([
            admin.fetchTopicOffsets(topic),
            admin.fetchOffsets({ groupId: `${names.prefix}${groupId}`, topics: [topic] }),
          ]);
          const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          for (const end of ends) {
            const position = committedBy.get(end.partition) ?? -1;
            const lag = position < 0 ? Number(end.high) - Number(end.low) : Number(end.high) - position;
            metrics.consumerLag.set({ topic: pattern, partition: String(end.partition) }, Math.max(0, lag));
          }
        }
      } catch (error) {
        this.options.logger.debug({ err: error }, 'lag poll failed');
      }
    };
    this.lagTimer = setInterval(() => void poll(), intervalMs);
    this.lagTimer.unref();
  }

  private restartTimer: NodeJS.Timeout | undefined;

  private scheduleRestart(crashed: Consumer): void {
    if (this.restartTimer || this.consumer !== crashed) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.consumer !== crashed || this.closed) return;
      void (async () => {
        try {
          await crashed.disconnect().catch(() => undefined);
          this.consumer = undefined;
          await this.start();
          this.crashed = undefined;
          this.options.logger.warn({ groupId: this.options.groupId }, 'kafka consumer restarted after a crash');
        } catch (error) {
          this.options.logger.error({ err: error, groupId: this.options.groupId }, 'kafka consumer restart failed; retrying');
          if (this.consumer) this.scheduleRestart(this.consumer);
        }
      })();
    }, 5000);
    this.restartTimer.unref();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    if (payload.batch.messages.length === 0) return;
    // A slow store can keep one batch busy longer than the session timeout; heartbeats while it
    // waits and works keep the group from handing the partition to another instance mid-batch.
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 3000);
    try {
      await this.gather(payload);
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * kafkajs hands every partition batch of one fetch to its own eachBatch call, all in the same
   * tick. They are gathered here and, per topic, handed to the handler as one call: a service
   * pays its fixed per-batch cost (store round trips, one sendBatch) once per fetch instead of
   * once per partition, which is what bounds latency on a store with slow round trips. Calls run
   * one at a time per consumer (with `concurrentTopics`, one fetch's calls together), so order
   * within a partition (one customer) is kept, and offsets are committed per partition once the
   * call finished.
   */
  private gather(payload: EachBatchPayload): Promise<void> {
    const contractName = this.options.names.contractName(payload.batch.topic) ?? payload.batch.topic;
    const definition = topicByName.get(contractName);
    if (!definition || !this.getHandlerByPattern(contractName)) return Promise.reject(new Error(`no handler for ${payload.batch.topic}`));
    return new Promise<void>((resolve, reject) => {
      const member: PartitionBatch = { payload, contractName, definition, stale: false, settle: { resolve, reject } };
      const waiting = this.gathering.get(contractName);
      if (waiting) waiting.push(member);
      else this.gathering.set(contractName, [member]);
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const gathered = [...this.gathering.values()];
    this.gathering.clear();
    const limit = this.options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES;
    const groups = gathered.flatMap((members) => groupUpTo(members, limit));
    const settle = (group: PartitionBatch[]): Promise<void> =>
      this.processGroup(group).then(
        () => group.forEach((m) => m.settle.resolve()),
        (error: unknown) => group.forEach((m) => m.settle.reject(error)),
      );
    if (this.options.concurrentTopics) {
      const exactlyOnce = this.options.exactlyOnce;
      this.running = this.running.then(() => (exactlyOnce ? this.flushExactlyOnce(exactlyOnce, groups, settle) : Promise.all(groups.map(settle)).then(() => undefined)));
      return;
    }
    for (const group of groups) this.running = this.running.then(() => settle(group));
  }

  /**
   * Exactly-once with concurrentTopics: the calls of one fetch run together in one transaction,
   * committed with all their offsets. If any of them fails (the infrastructure, a poison
   * message, a rebalance) it is aborted and each call runs again alone, in its own transaction,
   * with the usual retries and isolation (effects are idempotent; the aborted outputs were never
   * read).
   */
  private async flushExactlyOnce(exactlyOnce: ExactlyOnceBatches, groups: PartitionBatch[][], settle: (group: PartitionBatch[]) => Promise<void>): Promise<void> {
    let shared: SharedFlush | undefined;
    try {
      shared = { tx: await exactlyOnce.begin(), offsets: [], afterCommit: [], live: [] };
    } catch (error) {
      this.options.logger.debug({ err: error }, 'no shared transaction; the calls of this fetch run one by one');
    }
    if (shared) {
      const current = shared;
      const outcomes = await Promise.allSettled(groups.map((group) => this.processGroup(group, current)));
      if (outcomes.every((o) => o.status === 'fulfilled')) {
        let hooks: Array<() => Promise<void>>;
        try {
          hooks = await exactlyOnce.commit(current.tx, { groupId: `${this.options.names.prefix}${this.options.groupId}`, topics: current.offsets });
        } catch (error) {
          for (const group of groups) for (const member of group) member.settle.reject(error);
          return;
        }
        for (const member of current.live) member.payload.resolveOffset(member.payload.batch.lastOffset());
        await this.afterCommit(current.live, 'after-commit', [...current.afterCommit, ...hooks]);
        for (const group of groups) for (const member of group) member.settle.resolve();
        return;
      }
      await exactlyOnce.abort(current.tx);
    }
    for (const group of groups) await settle(group);
  }

  private async processGroup(group: PartitionBatch[], shared?: SharedFlush): Promise<void> {
    const started = process.hrtime.bigint();
    const [first] = group;
    if (!first) return;
    const { contractName, definition } = first;
    const handler = this.getHandlerByPattern(contractName);
    if (!handler) throw new Error(`no handler for ${contractName}`);
    const clusterTopic = first.payload.batch.topic;
    const metrics = this.options.metrics;
    const total = group.reduce((n, m) => n + m.payload.batch.messages.length, 0);
    metrics.eventsConsumed.inc({ topic: contractName }, total);
    metrics.batchSize.observe({ topic: contractName }, total);

    const deadLetters: DeadLetter[] = [];
    const skippedResult = await this.withRetries(group, contractName, () => this.subjectsToSkip(definition, group));
    if (!skippedResult.ok) {
      if (skippedResult.stale) return;
      throw skippedResult.error;
    }
    const skipped = skippedResult.value;
    // Each message's value parsed once, in group order (raw topics are not parsed).
    const values: JsonValue[] = [];
    const kids = new Set<string>();
    if (definition.events !== null) {
      for (const member of group) {
        for (const message of member.payload.batch.messages) {
          const value = parseJson(message);
          values.push(value);
          const kid = 'json' in value ? sealedKeyId(value.json) : undefined;
          if (kid) kids.add(kid);
        }
      }
    }
    const keysResult = await this.withRetries(group, contractName, () => this.keysById([...kids]));
    if (!keysResult.ok) {
      if (keysResult.stale) return;
      throw keysResult.error;
    }
    const keys = keysResult.value;
    const decoded: DecodedItem[] = [];
    // A span per message only where spans go somewhere (an exporter) or where the message brings
    // no trace: each event's path stays one trace either way, since without an exporter the
    // message's trace continues from the producer's context (its traceparent header), which is
    // what the publisher then writes on.
    const withSpans = spansExported();
    const spanName = `${contractName} process`;
    let shredded = 0;
    let skippedCount = 0;
    let index = 0;
    for (const member of group) {
      const { partition } = member.payload.batch;
      for (const message of member.payload.batch.messages) {
        const result = decode(definition, partition, message, values[index++], keys);
        if ('shredded' in result) {
          // Its key was destroyed by an erasure: the event is gone, not bad.
          shredded++;
          continue;
        }
        if ('reason' in result) {
          deadLetters.push({ message, partition, reason: result.reason, error: result.error, attempts: 0 });
          continue;
        }
        if (skipped.size > 0 && result.kind === 'event' && skipped.has(subjectOf(result.event))) {
          skippedCount++;
          continue;
        }
        const parent = extractTraceContext(message.headers);
        let span: Span | undefined;
        // A message that carries no trace (produced outside the platform) begins one here.
        if (withSpans || trace.getSpanContext(parent) === undefined) {
          span = tracer().startSpan(
            spanName,
            {
              kind: SpanKind.CONSUMER,
              attributes: {
                'messaging.system': 'kafka',
                'messaging.destination.name': clusterTopic,
                'messaging.kafka.destination.partition': partition,
                'messaging.kafka.message.offset': message.offset,
                'messaging.consumer.group.name': this.options.groupId,
              },
            },
            parent,
          );
          result.trace = trace.setSpan(parent, span);
        } else result.trace = parent;
        decoded.push({ source: message, partition, owner: member, consumed: result, span });
      }
    }
    if (shredded > 0) metrics.shredded.inc({ topic: contractName }, shredded);
    if (skippedCount > 0) metrics.skipped.inc({ topic: contractName }, skippedCount);

    const exactlyOnce = this.options.exactlyOnce;
    /** Exactly-once: the transaction of the whole call that succeeded, still open for its dead letters and offsets. */
    let open: BatchTransaction | undefined;
    const afterCommit: Array<() => Promise<void>> = [];
    const run = async (items: DecodedItem[], whole = false): Promise<KafkaBatchContext> => {
      if (!exactlyOnce) return call(items);
      if (shared) return exactlyOnce.within(shared.tx, () => call(items));
      const tx = await exactlyOnce.begin();
      let ctx: KafkaBatchContext;
      try {
        ctx = await exactlyOnce.within(tx, () => call(items));
      } catch (error) {
        await exactlyOnce.abort(tx);
        throw error;
      }
      if (whole) open = tx;
      // A message handled alone (the batch is being split) commits its outputs at once, without offsets.
      else afterCommit.push(...(await exactlyOnce.commit(tx)));
      return ctx;
    };
    const call = async (items: DecodedItem[]): Promise<KafkaBatchContext> => {
      const live = items.filter((i) => !i.owner.stale);
      const ctx = new KafkaBatchContext(contractName, [...new Set(live.map((i) => i.partition))]);
      const consumedBatch: ConsumedBatch<unknown> = {
        topic: definition,
        clusterTopic,
        partitions: ctx.getArgByIndex(1),
        messages: live.map((i) => i.consumed),
      };
      await lastValueFrom(this.transformToObservable(await handler(consumedBatch, ctx)), { defaultValue: undefined });
      return ctx;
    };

    const failures = new Map<DecodedItem, { error: unknown; attempts: number }>();
    const rejected: KafkaBatchContext['rejected'] = [];
    // Sharing a fetch's transaction: one attempt; a failure sends the whole fetch down the one-by-one path.
    if (decoded.length > 0 && shared) rejected.push(...(await run(decoded, true)).rejected);
    else if (decoded.length > 0) {
      const whole = await this.withRetries(group, contractName, () => run(decoded, true));
      if (whole.ok) {
        rejected.push(...whole.value.rejected);
      } else if (!whole.stale) {
        // Isolate: the messages that still fail on their own are the poison ones.
        for (const item of decoded) {
          if (item.owner.stale) continue;
          const single = await this.withRetries(group, contractName, () => run([item]));
          if (single.ok) rejected.push(...single.value.rejected);
          else if (!single.stale) failures.set(item, { error: single.error, attempts: single.attempts });
        }
      }
    }

    if (failures.size > 0 || rejected.length > 0) {
      const rejectionOf = new Map<string, KafkaBatchContext['rejected'][number]>();
      for (const r of rejected) if (!rejectionOf.has(`${r.partition}:${r.offset}`)) rejectionOf.set(`${r.partition}:${r.offset}`, r);
      for (const item of decoded) {
        if (item.owner.stale) continue;
        const failure = failures.get(item);
        const rejection = rejectionOf.get(`${item.partition}:${item.source.offset}`);
        if (failure) {
          deadLetters.push({ message: item.source, partition: item.partition, reason: 'processing-failed', error: describe(failure.error), attempts: failure.attempts });
          item.span?.setStatus({ code: SpanStatusCode.ERROR, message: describe(failure.error) });
        } else if (rejection) {
          deadLetters.push({ message: item.source, partition: item.partition, reason: rejection.reason, error: rejection.error, attempts: 1 });
          item.span?.setStatus({ code: SpanStatusCode.ERROR, message: rejection.reason });
        }
      }
    }

    // A partition another instance now owns (rebalance during retries) is neither dead-lettered
    // nor committed here: its new owner gets the batch again.
    const live = group.filter((m) => !m.stale);
    const liveLetters = deadLetters.filter((letter) => live.some((m) => m.payload.batch.partition === letter.partition));
    if (exactlyOnce) {
      await this.commitExactlyOnce(exactlyOnce, group, live, liveLetters, clusterTopic, contractName, open, afterCommit, shared);
      this.finished(decoded, live, contractName, started);
      return;
    }
    // Dead letters are stored before offsets move: while Kafka does not take them, nothing is committed.
    if (liveLetters.length > 0) {
      const sent = await this.withRetries(group, contractName, () => this.sendDeadLetters(clusterTopic, liveLetters, contractName));
      if (!sent.ok) {
        if (sent.stale) return;
        throw sent.error;
      }
    }

    for (const member of live) member.payload.resolveOffset(member.payload.batch.lastOffset());
    // One commit request carries every partition resolved above.
    const [committer] = live;
    if (committer) {
      // The effects are stored and published: a commit that fails because the coordinator is
      // away (a broker restart) is retried while this member still owns the partitions, not
      // thrown, which would have the whole batch handled and published again by the next owner.
      const committed = await this.withRetries(live, contractName, () => committer.payload.commitOffsetsIfNecessary());
      if (!committed.ok) {
        if (committed.stale) return;
        throw committed.error;
      }
      await committer.payload.heartbeat();
    }
    this.finished(decoded, live, contractName, started);
  }

  /**
   * Exactly-once: the dead letters and the offsets go into the transaction of the call (or a new
   * one when the batch was split), which commits them with what the handler published. A
   * partition lost to a rebalance meanwhile aborts it all: the partitions' owners read them again.
   * A commit that fails throws: nothing is resolved, so the batch is read and handled again
   * (what the failed transaction held was aborted, or, if the broker committed it after all, the
   * group's offsets moved with it).
   */
  private async commitExactlyOnce(
    exactlyOnce: ExactlyOnceBatches,
    group: PartitionBatch[],
    live: PartitionBatch[],
    letters: DeadLetter[],
    clusterTopic: string,
    contractName: string,
    open: BatchTransaction | undefined,
    afterCommit: Array<() => Promise<void>>,
    shared: SharedFlush | undefined,
  ): Promise<void> {
    for (const member of group) if (member.payload.isStale()) member.stale = true;
    const offsets = { topic: clusterTopic, partitions: live.map((m) => ({ partition: m.payload.batch.partition, offset: (BigInt(m.payload.batch.lastOffset()) + 1n).toString() })) };
    if (shared) {
      if (group.some((m) => m.stale)) throw new Error('a partition of the shared transaction went to another member');
      if (letters.length > 0) await exactlyOnce.within(shared.tx, () => this.sendDeadLetters(clusterTopic, letters, contractName));
      shared.offsets.push(offsets);
      shared.live.push(...live);
      shared.afterCommit.push(...afterCommit);
      return;
    }
    if (group.some((m) => m.stale)) {
      if (open) await exactlyOnce.abort(open);
      return;
    }
    const tx = open ?? (await exactlyOnce.begin());
    try {
      if (letters.length > 0) await exactlyOnce.within(tx, () => this.sendDeadLetters(clusterTopic, letters, contractName));
    } catch (error) {
      await exactlyOnce.abort(tx);
      throw error;
    }
    afterCommit.push(...(await exactlyOnce.commit(tx, { groupId: `${this.options.names.prefix}${this.options.groupId}`, topics: [offsets] })));
    for (const member of live) member.payload.resolveOffset(member.payload.batch.lastOffset());
    await this.afterCommit(live, contractName, afterCommit);
    await live[0]?.payload.heartbeat().catch(() => undefined);
  }

  /**
   * Work that records in a database that an event is in Kafka (afterBatchCommit). Transient
   * failures are waited out; another failure is logged: the effect is committed, what the record
   * says is redone by the service (an unannounced merge is published again).
   */
  private async afterCommit(live: PartitionBatch[], topic: string, hooks: Array<() => Promise<void>>): Promise<void> {
    for (const hook of hooks) {
      const done = await this.withRetries(live, topic, hook);
      if (!done.ok && !done.stale) this.options.logger.error({ err: done.error, topic }, 'work after a transaction commit failed');
    }
  }

  private finished(decoded: DecodedItem[], live: PartitionBatch[], contractName: string, started: bigint): void {
    const metrics = this.options.metrics;
    const now = Date.now();
    // The histogram's child for this topic looked up once per call, not once per message.
    const latency = metrics.eventLatency.labels({ topic: contractName });
    for (const item of decoded) {
      item.span?.end();
      if (!item.owner.stale) latency.observe(Math.max(0, now - Number(item.source.timestamp)) / 1000);
    }
    for (const member of live) {
      metrics.consumerLag.set({ topic: contractName, partition: String(member.payload.batch.partition) }, Math.max(0, Number(member.payload.batch.offsetLag())));
    }
    metrics.batchDuration.observe({ topic: contractName }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** The data keys of sealed messages (absent: destroyed). */
  private async keysById(kids: string[]): Promise<Map<string, Buffer>> {
    if (kids.length === 0) return new Map();
    const source = this.options.dataKeys;
    // Not a reason to drop or dead-letter anything: the deployment lacks its key store settings.
    if (!source) throw new TransientError(`sealed messages but no data key source (DATA_SEALING) in group ${this.options.groupId}`);
    return source.byIds(kids);
  }

  /**
   * Dead-letter topics are event logs too: a value not already sealed (a raw intake message, a
   * value that did not decode, an event of an unsealed topic) is sealed under the key of its
   * subject (the ce_subject header, else the message key), so an erasure reaches it.
   */
  private async sealLetters(originalTopic: string, letters: DeadLetter[]): Promise<Map<DeadLetter, Buffer | null>> {
    const values = new Map<DeadLetter, Buffer | null>();
    const source = this.options.dataKeys;
    const kind = subjectKindOf(topicByName.get(this.options.names.contractName(originalTopic) ?? ''));
    const subjects = new Map<DeadLetter, string>();
    for (const letter of letters) {
      values.set(letter, letter.message.value);
      const value = letter.message.value;
      if (!source || !value || value.length === 0 || sealedDeadLetterKeyId(value) !== undefined) continue;
      if (sealedKeyId(parseJsonValue(value)) !== undefined) continue;
      const subject = letter.message.headers?.[subjectHeader]?.toString() ?? letter.message.key?.toString();
      if (subject) subjects.set(letter, keySubject(kind, subject));
    }
    if (!source || subjects.size === 0) return values;
    const keys = await source.forSubjects([...new Set(subjects.values())]);
    for (const [letter, subject] of subjects) {
      const key = keys.get(subject);
      const value = letter.message.value;
      if (key && value) values.set(letter, sealDeadLetter(value, key));
    }
    return values;
  }

  private async subjectsToSkip(definition: TopicDefinition, group: PartitionBatch[]): Promise<Set<string>> {
    const skip = this.options.skipSubjects;
    if (!skip || definition.events === null) return new Set();
    const subjects = new Set<string>();
    for (const member of group) {
      for (const m of member.payload.batch.messages) {
        const subject = m.headers?.[subjectHeader]?.toString() ?? m.key?.toString();
        if (subject) subjects.add(subject);
      }
    }
    return subjects.size === 0 ? new Set() : skip(definition, [...subjects]);
  }

  /**
   * Runs `work` until it succeeds. Transient failures (the infrastructure) are retried for as long
   * as they last, with a backoff capped at maxRetryBackoffMs; other failures `retries` more times.
   * Gives up early (stale) when every partition of the call went to another member, or the
   * transport is closing: then nothing is dead-lettered or committed, and the batch comes again.
   */
  private async withRetries<T>(
    group: PartitionBatch[],
    topic: string,
    work: () => Promise<T>,
    retries = this.options.retries,
  ): Promise<{ ok: true; value: T } | { ok: false; stale: boolean; error: unknown; attempts: number }> {
    const attempts = retries + 1;
    let failures = 0;
    let transientStreak = 0;
    let lastLog = 0;
    for (;;) {
      try {
        const value = await work();
        this.recovered(topic);
        return { ok: true, value };
      } catch (error) {
        const transient = isTransientFailure(error);
        let backoff: number;
        if (transient) {
          transientStreak++;
          failures = 0;
          if (!this.waiting.has(topic)) this.waiting.set(topic, Date.now());
          if (Date.now() - lastLog >= 30000) {
            lastLog = Date.now();
            this.options.logger.warn({ err: error, topic, attempt: transientStreak }, 'infrastructure unavailable; holding the batch and retrying until it is back');
          }
          backoff = Math.min(this.options.maxRetryBackoffMs ?? 5000, (this.options.retryBackoffMs ?? 200) * 2 ** Math.min(transientStreak - 1, 16));
        } else {
          failures++;
          transientStreak = 0;
          this.options.logger.warn({ err: error, topic, attempt: failures, of: attempts }, 'batch handler failed');
          if (failures >= attempts) return { ok: false, stale: false, error, attempts: failures };
          backoff = (this.options.retryBackoffMs ?? 200) * 2 ** (failures - 1);
        }
        this.options.metrics.batchRetries.inc({ topic });
        await sleep(backoff);
        if (this.closed) {
          // Shutting down: leave the batch uncommitted for whoever consumes next.
          for (const member of group) member.stale = true;
          return { ok: false, stale: true, error, attempts: failures };
        }
        // One heartbeat speaks for the whole consumer (every partition of the group is its own).
        // While the broker is away it fails and the batch keeps waiting; when the group is
        // rebalancing, the batch is let go uncommitted so that kafkajs can rejoin (this member
        // or the partitions' next owner gets it again).
        const rebalancing = await group[0]?.payload.heartbeat().then(
          () => false,
          (heartbeatError: unknown) => isRebalanceError(heartbeatError),
        );
        if (rebalancing) {
          for (const member of group) member.stale = true;
          return { ok: false, stale: true, error, attempts: failures };
        }
        for (const member of group) if (member.payload.isStale()) member.stale = true;
        if (group.every((m) => m.stale)) return { ok: false, stale: true, error, attempts: failures };
      }
    }
  }

  private recovered(topic: string): void {
    const since = this.waiting.get(topic);
    if (since === undefined) return;
    this.waiting.delete(topic);
    this.options.logger.warn({ topic, waitedMs: Date.now() - since }, 'infrastructure back; batch processed');
  }

  private async sendDeadLetters(clusterTopic: string, letters: DeadLetter[], contractName: string): Promise<void> {
    const failedAt = new Date().toISOString();
    const sealed = await this.sealLetters(clusterTopic, letters);
    const messages: Message[] = letters.map((letter) => ({
      key: letter.message.key,
      value: sealed.get(letter) ?? letter.message.value,
      headers: {
        ...letter.message.headers,
        ...(sealed.get(letter) !== letter.message.value ? { [sealedDeadLetterHeader]: 'true' } : {}),
        [deadLetterHeaders.originalTopic]: clusterTopic,
        [deadLetterHeaders.originalPartition]: String(letter.partition),
        [deadLetterHeaders.originalOffset]: letter.message.offset,
        [deadLetterHeaders.originalTimestamp]: letter.message.timestamp,
        [deadLetterHeaders.consumerGroup]: this.options.groupId,
        [deadLetterHeaders.reason]: letter.reason,
        [deadLetterHeaders.error]: letter.error.slice(0, 4000),
        [deadLetterHeaders.attempts]: String(letter.attempts),
        [deadLetterHeaders.failedAt]: failedAt,
      },
    }));
    await this.options.publisher.publishRaw(this.options.names.deadLetter(this.options.groupId), messages);
    for (const letter of letters) {
      this.options.metrics.deadLettered.inc({ topic: contractName, reason: letter.reason });
      this.options.logger.warn(
        { topic: clusterTopic, partition: letter.partition, offset: letter.message.offset, reason: letter.reason, error: letter.error },
        'message dead-lettered',
      );
    }
  }
}

type Decoded = ConsumedEvent<unknown> | ConsumedTombstone | ConsumedRaw;

/** The transaction every call of one fetch shares (exactly-once with concurrentTopics), and what commits with it. */
interface SharedFlush {
  tx: BatchTransaction;
  offsets: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  afterCommit: Array<() => Promise<void>>;
  live: PartitionBatch[];
}

const subjectHeader = 'ce_subject';

function subjectOf(event: unknown): string {
  return typeof event === 'object' && event !== null && typeof (event as { subject?: unknown }).subject === 'string' ? (event as { subject: string }).subject : '';
}

type JsonValue = { json: unknown } | { error: string } | { empty: true };

function parseJson(message: KafkaMessage): JsonValue {
  if (message.value === null || message.value.length === 0) return { empty: true };
  try {
    return { json: JSON.parse(message.value.toString('utf8')) };
  } catch (error) {
    return { error: describe(error) };
  }
}

function parseJsonValue(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

function decode(
  definition: TopicDefinition,
  partition: number,
  message: KafkaMessage,
  value: JsonValue | undefined,
  keys: Map<string, Buffer>,
): Decoded | { reason: DeadLetterReason; error: string } | { shredded: true } {
  const key = message.key ? message.key.toString('utf8') : null;
  const headers = message.headers ?? {};
  if (definition.events === null) {
    return { kind: 'raw', key, partition, offset: message.offset, timestamp: message.timestamp, headers, trace: ROOT_CONTEXT, value: message.value ?? Buffer.alloc(0) };
  }
  const read = value ?? parseJson(message);
  if ('empty' in read) {
    if (definition.cleanupPolicy === 'compact' && key !== null) return { kind: 'tombstone', key, partition, offset: message.offset, timestamp: message.timestamp, headers, trace: ROOT_CONTEXT };
    return { reason: 'invalid-envelope', error: 'empty message value' };
  }
  if ('error' in read) return { reason: 'invalid-json', error: read.error };
  let json = read.json;
  const kid = sealedKeyId(json);
  if (kid !== undefined) {
    const dataKey = keys.get(kid);
    if (!dataKey) return { shredded: true };
    try {
      json = openEvent(json as Record<string, unknown>, dataKey);
    } catch (error) {
      if (error instanceof SealBrokenError) return { reason: 'invalid-envelope', error: error.message };
      throw error;
    }
  }
  const parsed = parseEnvelope(definition, json);
  if (!parsed.ok) return { reason: parsed.reason, error: parsed.message };
  return { kind: 'event', key, partition, offset: message.offset, timestamp: message.timestamp, headers, trace: ROOT_CONTEXT, event: parsed.event };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

function isRebalanceError(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'FENCED_INSTANCE_ID';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
