import { Logger } from '@o2o/observability';
import { BatchTransaction, ExactlyOnceBatches } from '../exactly-once';
import { DeadLetter, markStale, PartitionBatch } from './partition-batch';
import { RetryPolicy } from './retry-policy';

/** A topic's next offsets to commit: one past each live partition batch's last message. */
export interface TopicOffsets {
  topic: string;
  partitions: Array<{ partition: number; offset: string }>;
}

export function nextOffsets(clusterTopic: string, live: readonly PartitionBatch[]): TopicOffsets {
  return {
    topic: clusterTopic,
    partitions: live.map((m) => ({ partition: m.payload.batch.partition, offset: (BigInt(m.payload.batch.lastOffset()) + 1n).toString() })),
  };
}

/** The transaction every call of one fetch shares (exactly-once with concurrentTopics), and what commits with it. */
export interface SharedFlush {
  tx: BatchTransaction;
  offsets: TopicOffsets[];
  afterCommit: Array<() => Promise<void>>;
  live: PartitionBatch[];
}

export type SendLetters = (letters: readonly DeadLetter[]) => Promise<void>;

/**
 * Offset bookkeeping: offsets move only after a call's effects and dead letters are stored.
 * At-least-once: the partitions are resolved and committed in one request, retried while the
 * coordinator is away. Exactly-once: dead letters and offsets join the call's transaction.
 */
export class OffsetCommitter {
  constructor(
    private readonly retry: RetryPolicy,
    private readonly logger: Logger,
    /** The consumer group's full name (with the prefix). */
    private readonly groupId: string,
  ) {}

  /**
   * At-least-once: dead letters first (while Kafka does not take them, nothing is committed),
   * then every live partition resolved and committed in one request. Returns false when the call
   * was let go (its partitions went to another member, or the transport is closing).
   */
  async commit(
    group: readonly PartitionBatch[],
    live: readonly PartitionBatch[],
    letters: readonly DeadLetter[],
    topic: string,
    send: SendLetters,
  ): Promise<boolean> {
    if (letters.length > 0) {
      const sent = await this.retry.run(group, topic, () => send(letters));
      if (!sent.ok) {
        if (sent.stale) return false;
        throw sent.error;
      }
    }
    for (const member of live) member.payload.resolveOffset(member.payload.batch.lastOffset());
    const [committer] = live;
    if (!committer) return true;
    // The effects are stored and published: a commit that fails because the coordinator is
    // away (a broker restart) is retried while this member still owns the partitions, not
    // thrown, which would have the whole batch handled and published again by the next owner.
    const committed = await this.retry.run(live, topic, () => committer.payload.commitOffsetsIfNecessary());
    if (!committed.ok) {
      if (committed.stale) return false;
      throw committed.error;
    }
    await committer.payload.heartbeat();
    return true;
  }

  /**
   * Exactly-once: the dead letters and the offsets go into the transaction of the call (or a new
   * one when the batch was split), which commits them with what the handler published. A
   * partition lost to a rebalance meanwhile aborts it all: the partitions' owners read them again.
   * A commit that fails throws: nothing is resolved, so the batch is read and handled again
   * (what the failed transaction held was aborted, or, if the broker committed it after all, the
   * group's offsets moved with it). Sharing a fetch's transaction, the call only adds to it.
   */
  async commitExactlyOnce(
    exactlyOnce: ExactlyOnceBatches,
    call: {
      group: readonly PartitionBatch[];
      live: PartitionBatch[];
      letters: readonly DeadLetter[];
      clusterTopic: string;
      contractName: string;
    },
    open: BatchTransaction | undefined,
    afterCommit: Array<() => Promise<void>>,
    shared: SharedFlush | undefined,
    send: SendLetters,
  ): Promise<void> {
    const { group, live, letters, clusterTopic, contractName } = call;
    markStale(group);
    const offsets = nextOffsets(clusterTopic, live);
    if (shared) {
      if (group.some((m) => m.stale)) throw new Error('a partition of the shared transaction went to another member');
      if (letters.length > 0) await exactlyOnce.within(shared.tx, () => send(letters));
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
      if (letters.length > 0) await exactlyOnce.within(tx, () => send(letters));
    } catch (error) {
      await exactlyOnce.abort(tx);
      throw error;
    }
    afterCommit.push(...(await exactlyOnce.commit(tx, { groupId: this.groupId, topics: [offsets] })));
    for (const member of live) member.payload.resolveOffset(member.payload.batch.lastOffset());
    await this.afterCommit(live, contractName, afterCommit);
    await live[0]?.payload.heartbeat().catch(() => undefined);
  }

  /** Exactly-once with a shared transaction: commits every call's offsets of the fetch at once. */
  async commitShared(exactlyOnce: ExactlyOnceBatches, shared: SharedFlush): Promise<void> {
    const hooks = await exactlyOnce.commit(shared.tx, { groupId: this.groupId, topics: shared.offsets });
    for (const member of shared.live) member.payload.resolveOffset(member.payload.batch.lastOffset());
    await this.afterCommit(shared.live, 'after-commit', [...shared.afterCommit, ...hooks]);
  }

  /**
   * Work that records in a database that an event is in Kafka (afterBatchCommit). Transient
   * failures are waited out; another failure is logged: the effect is committed, what the record
   * says is redone by the service (an unannounced merge is published again).
   */
  async afterCommit(live: readonly PartitionBatch[], topic: string, hooks: ReadonlyArray<() => Promise<void>>): Promise<void> {
    for (const hook of hooks) {
      const done = await this.retry.run(live, topic, hook);
      if (!done.ok && !done.stale) this.logger.error({ err: done.error, topic }, 'work after a transaction commit failed');
      // Let go with the partitions: what it would have recorded is redone by the service (issue 21).
      else if (!done.ok)
        this.logger.warn({ err: done.error, topic }, 'work after a transaction commit dropped: the partitions went to another member');
    }
  }
}
