import { Catch, RpcExceptionFilter, UseFilters, applyDecorators } from '@nestjs/common';
import { CustomTransportStrategy, EventPattern, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { TopicDefinition, topics } from '@o2o/contracts';
import { Logger, PlatformMetrics } from '@o2o/observability';
import { DataKeySource } from './data-keys';
import { BatchTransaction, ExactlyOnceBatches } from './exactly-once';
import { TransientError } from './failure-kind';
import { KafkaPublisher } from './publisher';
import { TopicNames } from './topic-names';
import { BatchMetrics } from './transport/batch-metrics';
import { ConsumedBatch, KafkaBatchContext } from './transport/consumed-batch';
import { DeadLetterSender } from './transport/dead-letter-sender';
import { outcomeLetters, runIsolating } from './transport/isolation';
import { LagPoller } from './transport/lag-poller';
import { decodeGroup, parseGroup, subjectsOf } from './transport/message-decoder';
import { endSpans, traceItems } from './transport/message-tracing';
import { OffsetCommitter, SharedFlush } from './transport/offset-commits';
import { DeadLetter, DecodedItem, messageCount, PartitionBatch } from './transport/partition-batch';
import { PartitionGatherer, wavesOf } from './transport/partition-gatherer';
import { RetryPolicy } from './transport/retry-policy';

export type {
  ConsumedBatch,
  ConsumedEvent,
  ConsumedMessage,
  ConsumedRaw,
  ConsumedTombstone,
  EventBatch,
  RawBatch,
} from './transport/consumed-batch';
export { KafkaBatchContext } from './transport/consumed-batch';

/**
 * Bounds of one handler call. The slowest call per message measured in the pipeline bench on a
 * loaded machine is ~12.5 ms per message (docs/performance.md, "Bounded calls"): 500 messages
 * keep a call near 6 s, a fifth of the 30 s session timeout. The byte bound (512 KiB, ~750
 * envelopes of 700 bytes) binds first only for bulky messages (snapshots, sealed states).
 */
const DEFAULT_MAX_BATCH_MESSAGES = 500;
const DEFAULT_MAX_BATCH_BYTES = 512 * 1024;
const DEFAULT_PARTITIONS_CONCURRENCY = 64;

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
  /**
   * Upper bound of messages in one handler call: whole partition batches are combined up to it,
   * a bigger partition batch is sliced (in order; each slice commits its own offsets).
   */
  maxBatchMessages?: number;
  /** Upper bound of bytes (keys and values) in one handler call, as maxBatchMessages; a single bigger message goes alone. */
  maxBatchBytes?: number;
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
   * transaction for all the calls of a fetch's wave (one call per topic; their writer combines them).
   */
  exactlyOnce?: ExactlyOnceBatches | undefined;
}

const topicByName = new Map<string, TopicDefinition>(Object.values(topics).map((t) => [t.name, t as TopicDefinition]));

/**
 * A @nestjs/microservices transport on kafkajs eachBatch: one handler call per batch, offsets
 * resolved and committed only after the handler's effects are stored.
 *
 * This class holds the consumer's lifecycle and the order of a call's steps; each step is a unit
 * of its own under ./transport: gathering partition batches into calls (partition-gatherer),
 * decoding (message-decoder), tracing (message-tracing), retry and isolation (retry-policy,
 * isolation), dead letters (dead-letter-sender), offsets (offset-commits), lag polling
 * (lag-poller) and metrics (batch-metrics).
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
  /** A heartbeat of this generation was refused for a rebalance: the rest of a sliced fetch is left for after it. */
  private rebalancing = false;
  private lagPoller: LagPoller | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Handler calls run one after another: the tail of that chain. */
  private running: Promise<void> = Promise.resolve();
  private readonly retry: RetryPolicy;
  private readonly gatherer: PartitionGatherer;
  private readonly deadLetters: DeadLetterSender;
  private readonly commits: OffsetCommitter;
  private readonly batchMetrics: BatchMetrics;

  constructor(private readonly options: BatchTransportOptions) {
    super();
    this.resetJoined();
    const { logger, metrics, names, groupId } = options;
    this.retry = new RetryPolicy({
      retries: options.retries,
      retryBackoffMs: options.retryBackoffMs,
      maxRetryBackoffMs: options.maxRetryBackoffMs,
      logger,
      metrics,
      closing: () => this.closed,
    });
    this.gatherer = new PartitionGatherer(
      { maxMessages: options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES, maxBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES },
      (groups) => this.flush(groups),
      () => this.closed || this.rebalancing,
    );
    this.deadLetters = new DeadLetterSender({
      publisher: options.publisher,
      names,
      groupId,
      dataKeys: options.dataKeys,
      metrics,
      logger,
      topicByName,
    });
    this.commits = new OffsetCommitter(this.retry, logger, `${names.prefix}${groupId}`);
    this.batchMetrics = new BatchMetrics(metrics);
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
    return this.consumer !== undefined && this.crashed === undefined && !this.retry.isWaiting();
  }

  /** Topics whose batch is waiting for the infrastructure (for health details and tests). */
  waitingTopics(): string[] {
    return this.retry.waitingTopics();
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
    const poller = this.lagPoller;
    this.lagPoller = undefined;
    await poller?.stop();
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
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.rebalancing = false;
      this.resolveJoined();
    });
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
    const subscribed: Array<{ contractName: string; clusterTopic: string }> = [];
    for (const pattern of patterns) {
      const definition = topicByName.get(pattern);
      if (!definition) throw new Error(`@BatchHandler for unknown topic ${pattern}: add it to libs/contracts topics`);
      const clusterTopic = names.of(definition);
      await consumer.subscribe({ topic: clusterTopic, fromBeginning: this.options.fromBeginning });
      subscribed.push({ contractName: pattern, clusterTopic });
    }
    await consumer.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONCURRENCY,
      eachBatch: (payload) => this.onBatch(payload),
    });
    if (!this.lagPoller) {
      this.lagPoller = new LagPoller({
        kafka,
        groupId: `${names.prefix}${groupId}`,
        topics: subscribed,
        metrics: this.options.metrics,
        logger: this.options.logger,
        intervalMs: this.options.lagPollIntervalMs ?? 10000,
      });
      this.lagPoller.start();
    }
  }

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
    const beat = setInterval(
      () =>
        void payload.heartbeat().then(
          // Accepted again (the coordinator came back without a rejoin): nothing to yield to.
          () => (this.rebalancing = false),
          (error: unknown) => this.noteHeartbeatError(error),
        ),
      3000,
    );
    try {
      await this.gather(payload);
    } finally {
      clearInterval(beat);
    }
  }

  /** kafkajs's isRebalancing: the group wants its members back; the rest of a sliced fetch waits for the new generation. */
  private noteHeartbeatError(error: unknown): void {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION') this.rebalancing = true;
  }

  /**
   * The partition batches of one fetch are gathered and, per topic, handed to the handler as one
   * call: a service pays its fixed per-batch cost (store round trips, one sendBatch) once per
   * fetch instead of once per partition, which is what bounds latency on a store with slow round
   * trips. Calls run one at a time per consumer (with `concurrentTopics`, one fetch's calls
   * together), so order within a partition (one customer) is kept, and offsets are committed per
   * partition once the call finished.
   */
  private gather(payload: EachBatchPayload): Promise<void> {
    const contractName = this.options.names.contractName(payload.batch.topic) ?? payload.batch.topic;
    const definition = topicByName.get(contractName);
    if (!definition || !this.getHandlerByPattern(contractName)) return Promise.reject(new Error(`no handler for ${payload.batch.topic}`));
    return new Promise<void>((resolve, reject) =>
      this.gatherer.add({ payload, contractName, definition, stale: false, settle: { resolve, reject } }),
    );
  }

  private flush(groups: PartitionBatch[][]): void {
    const settle = (group: PartitionBatch[]): Promise<void> =>
      this.processGroup(group).then(
        () => group.forEach((m) => m.settle.resolve()),
        (error: unknown) => group.forEach((m) => m.settle.reject(error)),
      );
    if (this.options.concurrentTopics) {
      const exactlyOnce = this.options.exactlyOnce;
      // One topic's calls (and so one partition's slices) never run together: wave after wave.
      for (const wave of wavesOf(groups))
        this.running = this.running.then(() =>
          exactlyOnce ? this.flushExactlyOnce(exactlyOnce, wave, settle) : Promise.all(wave.map(settle)).then(() => undefined),
        );
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
  private async flushExactlyOnce(
    exactlyOnce: ExactlyOnceBatches,
    groups: PartitionBatch[][],
    settle: (group: PartitionBatch[]) => Promise<void>,
  ): Promise<void> {
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
        try {
          await this.commits.commitShared(exactlyOnce, current);
        } catch (error) {
          for (const group of groups) for (const member of group) member.settle.reject(error);
          return;
        }
        for (const group of groups) for (const member of group) member.settle.resolve();
        return;
      }
      await exactlyOnce.abort(current.tx);
    }
    for (const group of groups) await settle(group);
  }

  /**
   * One handler call: decode the group's messages, run the handler (retrying, isolating poison
   * messages), dead-letter what is wrong in itself, then commit the offsets of the partitions
   * this member still owns. Steps that wait for the infrastructure hold the call; a call whose
   * partitions went to another member returns without committing anything.
   */
  private async processGroup(gathered: PartitionBatch[], shared?: SharedFlush): Promise<void> {
    const started = process.hrtime.bigint();
    const group = gathered.filter((m) => !m.skip?.());
    const [first] = group;
    if (!first) return;
    const { contractName, definition } = first;
    const clusterTopic = first.payload.batch.topic;
    const call = this.handlerCall(contractName, definition, clusterTopic);
    this.batchMetrics.received(contractName, messageCount(group));

    const prepared = await this.decode(group, definition, contractName, clusterTopic);
    if (!prepared) return;
    const { items, deadLetters } = prepared;

    const exactlyOnce = this.options.exactlyOnce;
    /** Exactly-once: the transaction of the whole call that succeeded, still open for its dead letters and offsets. */
    let open: BatchTransaction | undefined;
    const afterCommit: Array<() => Promise<void>> = [];
    const run = async (batch: DecodedItem[], whole: boolean): Promise<KafkaBatchContext> => {
      if (!exactlyOnce) return call(batch);
      if (shared) return exactlyOnce.within(shared.tx, () => call(batch));
      const tx = await exactlyOnce.begin();
      let ctx: KafkaBatchContext;
      try {
        ctx = await exactlyOnce.within(tx, () => call(batch));
      } catch (error) {
        await exactlyOnce.abort(tx);
        throw error;
      }
      if (whole) open = tx;
      // A message handled alone (the batch is being split) commits its outputs at once, without offsets.
      else afterCommit.push(...(await exactlyOnce.commit(tx)));
      return ctx;
    };
    // Sharing a fetch's transaction: one attempt; a failure sends the whole fetch down the one-by-one path.
    const outcome = await runIsolating(items, group, contractName, this.retry, run, shared !== undefined);
    deadLetters.push(...outcomeLetters(items, outcome));

    // A partition another instance now owns (rebalance during retries) is neither dead-lettered
    // nor committed here: its new owner gets the batch again.
    const live = group.filter((m) => !m.stale);
    const letters = deadLetters.filter((letter) => live.some((m) => m.payload.batch.partition === letter.partition));
    const send = (batch: readonly DeadLetter[]) => this.deadLetters.send(clusterTopic, batch, contractName);
    if (exactlyOnce) {
      await this.commits.commitExactlyOnce(
        exactlyOnce,
        { group, live, letters, clusterTopic, contractName },
        open,
        afterCommit,
        shared,
        send,
      );
    } else if (!(await this.commits.commit(group, live, letters, contractName, send))) return;
    endSpans(items);
    this.batchMetrics.finished(contractName, items, live, started);
  }

  /** The group's messages decoded and traced, with the dead letters of those wrong in themselves; undefined when the call was let go while waiting. */
  private async decode(
    group: PartitionBatch[],
    definition: TopicDefinition,
    contractName: string,
    clusterTopic: string,
  ): Promise<{ items: DecodedItem[]; deadLetters: DeadLetter[] } | undefined> {
    const skip = this.options.skipSubjects;
    const skipped = await this.retry.run(group, contractName, async () => {
      if (!skip || definition.events === null) return new Set<string>();
      const subjects = subjectsOf(group);
      return subjects.length === 0 ? new Set<string>() : skip(definition, subjects);
    });
    if (!skipped.ok) {
      if (skipped.stale) return undefined;
      throw skipped.error;
    }
    const { values, keyIds } = parseGroup(definition, group);
    const keys = await this.retry.run(group, contractName, () => this.keysById(keyIds));
    if (!keys.ok) {
      if (keys.stale) return undefined;
      throw keys.error;
    }
    const decoded = decodeGroup(definition, group, values, keys.value, skipped.value);
    this.batchMetrics.decoded(contractName, decoded.shredded, decoded.skipped);
    traceItems(decoded.items, { contractName, clusterTopic, groupId: this.options.groupId });
    return { items: decoded.items, deadLetters: decoded.deadLetters };
  }

  /** Calls the topic's handler with the messages still owned by this member. */
  private handlerCall(
    contractName: string,
    definition: TopicDefinition,
    clusterTopic: string,
  ): (items: DecodedItem[]) => Promise<KafkaBatchContext> {
    const handler = this.getHandlerByPattern(contractName);
    if (!handler) throw new Error(`no handler for ${contractName}`);
    return async (items) => {
      const live = items.filter((i) => !i.owner.stale);
      const ctx = new KafkaBatchContext(contractName, [...new Set(live.map((i) => i.partition))]);
      const batch: ConsumedBatch<unknown> = {
        topic: definition,
        clusterTopic,
        partitions: ctx.getArgByIndex(1),
        messages: live.map((i) => i.consumed),
      };
      await lastValueFrom(this.transformToObservable(await handler(batch, ctx)), { defaultValue: undefined });
      return ctx;
    };
  }

  /** The data keys of sealed messages (absent: destroyed). */
  private async keysById(kids: string[]): Promise<Map<string, Buffer>> {
    if (kids.length === 0) return new Map();
    const source = this.options.dataKeys;
    // Not a reason to drop or dead-letter anything: the deployment lacks its key store settings.
    if (!source) throw new TransientError(`sealed messages but no data key source (DATA_SEALING) in group ${this.options.groupId}`);
    return source.byIds(kids);
  }
}
