import { AsyncLocalStorage } from 'node:async_hooks';
import { Kafka, Producer, TopicMessages, Transaction } from 'kafkajs';
import { Logger } from '@o2o/observability';
import { stablePartitioner } from './publisher';

/** How a consumer's handler calls are wrapped in Kafka transactions (consume-transform-produce). */
export interface ExactlyOnceOptions {
  /**
   * Stable per instance and unique across instances (a StatefulSet pod's name, or host and
   * port): a process started again under it fences its dead predecessor, whose open
   * transaction the broker then aborts at once instead of after `transactionTimeoutMs`.
   */
  transactionalId: string;
  /** How long the broker keeps a transaction open before aborting it (longer than a batch takes). */
  transactionTimeoutMs?: number;
  /** Retries of one request inside the producer (same producer id and sequence numbers). */
  sendRetries?: number;
}

/** Consumer offsets to commit with a transaction: the next offset to read, per topic and partition. */
export interface TransactionOffsets {
  groupId: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

const scope = new AsyncLocalStorage<BatchTransaction>();

/** A commit refused because a send of the transaction had failed: the handler call must run again in a new one. */
export class TransactionSendFailedError extends Error {
  constructor() {
    super('a send of this transaction failed; it is not committed and its producer is replaced');
    this.name = 'TransactionSendFailedError';
  }
}

/**
 * The transaction of one handler call. Publishes made while it is open (KafkaPublisher routes
 * them here) become visible to read-committed readers only with the consumer offsets of the
 * batch, in one commit; work that records "this is in Kafka" in a database waits for that commit
 * (afterBatchCommit).
 */
export class BatchTransaction {
  private open = true;
  private tail: Promise<void> = Promise.resolve();
  private readonly hooks: Array<() => Promise<void>> = [];
  private readonly commitListeners: Array<() => void> = [];
  /**
   * What was sent in this transaction under an id that names one state for good
   * (KafkaPublisher's `skipAcknowledged`, keyed by topic and id): it commits or aborts with all
   * the rest, so a second send of one of them in it would only be a second copy (issue 21).
   */
  readonly sentIds = new Set<string>();
  /** The error of a send that failed: the transaction can no longer commit (see `send`). */
  private broken: { error: unknown } | undefined;

  constructor(readonly transaction: Transaction) {}

  get active(): boolean {
    return this.open;
  }

  /** Whether a send of this transaction failed: it must be aborted, and its producer replaced. */
  get failed(): boolean {
    return this.broken !== undefined;
  }

  /**
   * Sends in the transaction, one request after another (one producer's sequence numbers).
   *
   * A send that failed may have been written all the same (the broker wrote it, its answer was
   * lost), and kafkajs has taken its sequence numbers back: a later request of this producer
   * would reuse them, and the broker takes one with as many records for a retry of the written
   * batch and acknowledges it without writing it. So once a send failed, every later send of
   * this transaction fails with the same error, the transaction cannot commit (it may hold part
   * of what it was meant to), and its producer is replaced (ExactlyOnceBatches): the new one
   * starts under a new epoch, with sequence numbers the broker has not seen (issue 21).
   */
  send(topicMessages: TopicMessages[]): Promise<void> {
    const sent = this.tail.then(async () => {
      if (this.broken) throw this.broken.error;
      try {
        await this.transaction.sendBatch({ acks: -1, timeout: 30000, topicMessages });
      } catch (error) {
        this.broken ??= { error };
        throw error;
      }
    });
    this.tail = sent.catch(() => undefined);
    return sent;
  }

  afterCommit(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  /**
   * In-memory bookkeeping run the moment the commit succeeded, before any after-commit work (which
   * waits for the offsets, may be retried for long, and is dropped with partitions lost meanwhile).
   */
  onCommitted(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /** @internal */
  committed(): void {
    for (const listener of this.commitListeners.splice(0)) listener();
  }

  /** @internal */
  settled(): Promise<void> {
    return this.tail;
  }

  /** @internal */
  close(): Array<() => Promise<void>> {
    this.open = false;
    return this.hooks.splice(0);
  }
}

/** The transaction of the handler call this code runs in, while it is open. */
export function activeBatchTransaction(): BatchTransaction | undefined {
  const current = scope.getStore();
  return current?.active ? current : undefined;
}

/**
 * Runs `work` once the current batch's transaction committed (its outputs and offsets are in
 * Kafka), or at once outside one. For database writes that say a publish happened (an event
 * "announced"): written before the commit, a crash in between would leave them claiming an
 * event the broker aborted.
 */
export async function afterBatchCommit(work: () => Promise<void>): Promise<void> {
  const current = activeBatchTransaction();
  if (current) current.afterCommit(work);
  else await work();
}

/**
 * Exactly-once consume-transform-produce for a batch consumer (KafkaBatchTransport's
 * `exactlyOnce`): every handler call runs in a Kafka transaction that also carries the consumer
 * offsets of its batch (kafkajs `sendOffsets`), so its outputs and its progress commit together
 * or not at all. A process killed after publishing and before committing leaves an open
 * transaction, aborted when its successor connects under the same transactional id; the
 * successor reads the batch again and publishes it once. Readers must read committed (kafkajs's
 * default, and every consumer here).
 */
export class ExactlyOnceBatches {
  private producer: Producer;
  private connected: Promise<void> | undefined;
  /** Transactions committed and aborted, producers replaced after a failed request. */
  readonly stats = { committed: 0, aborted: 0, retiredProducers: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ExactlyOnceOptions,
    private readonly logger?: Logger,
  ) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: stablePartitioner,
      transactionalId: this.options.transactionalId,
      transactionTimeout: this.options.transactionTimeoutMs ?? 30000,
      retry: { retries: Math.max(1, this.options.sendRetries ?? 20), initialRetryTime: 100, maxRetryTime: 5000 },
    });
  }

  /** Connects and fences a predecessor under the same id (an empty transaction aborts what it left open). */
  connect(): Promise<void> {
    const producer = this.producer;
    this.connected ??= (async () => {
      await producer.connect();
      const fence = await producer.transaction();
      await fence.abort();
    })().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }

  /** Opens the transaction of one handler attempt. */
  async begin(): Promise<BatchTransaction> {
    await this.connect();
    return new BatchTransaction(await this.producer.transaction());
  }

  /** Runs `work` with `tx` as the transaction publishes go to. */
  within<T>(tx: BatchTransaction, work: () => Promise<T>): Promise<T> {
    return scope.run(tx, work);
  }

  /**
   * Adds the offsets and commits; answers the after-commit work, for the caller to run once it
   * moved its offsets. A failed commit replaces the producer and throws: the caller must not
   * move its offsets.
   */
  async commit(tx: BatchTransaction, offsets?: TransactionOffsets): Promise<Array<() => Promise<void>>> {
    try {
      await tx.settled();
      // A failed send leaves the transaction short of records its caller may have gone on to count as sent.
      if (tx.failed) throw new TransactionSendFailedError();
      const topics = (offsets?.topics ?? []).filter((t) => t.partitions.length > 0);
      if (offsets && topics.length > 0) await tx.transaction.sendOffsets({ consumerGroupId: offsets.groupId, topics });
      await tx.transaction.commit();
    } catch (error) {
      tx.close();
      this.retire();
      throw error;
    }
    this.stats.committed++;
    tx.committed();
    return tx.close();
  }

  /**
   * Aborts: nothing the attempt published reaches a read-committed reader. After a failed send
   * the producer is replaced even when the abort succeeded: its sequence numbers are no longer
   * the broker's (BatchTransaction.send).
   */
  async abort(tx: BatchTransaction): Promise<void> {
    if (!tx.active) return;
    tx.close();
    this.stats.aborted++;
    try {
      await tx.settled();
      await tx.transaction.abort();
    } catch (error) {
      // The next producer under the same id aborts what is left open when it connects.
      this.logger?.debug({ err: error }, 'transaction abort failed; the next producer fences it');
      this.retire();
      return;
    }
    if (tx.failed) this.retire();
  }

  private retire(): void {
    this.stats.retiredProducers++;
    const old = this.producer;
    const wasConnected = this.connected !== undefined;
    this.producer = this.newProducer();
    this.connected = undefined;
    if (wasConnected) void old.disconnect().catch(() => undefined);
  }
}
