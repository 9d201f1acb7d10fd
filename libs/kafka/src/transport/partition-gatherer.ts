import { KafkaMessage } from 'kafkajs';
import { PartitionBatch } from './partition-batch';

/** How much one handler call may take: a call's time grows with its messages and their bytes. */
export interface CallBounds {
  /** Most messages in one call. */
  maxMessages: number;
  /** Most bytes (keys and values) in one call; a single bigger message goes alone. */
  maxBytes: number;
}

/** The bytes a message brings to a call (its key and value; headers are small and not counted). */
export function messageBytes(message: Pick<KafkaMessage, 'key' | 'value'>): number {
  return (message.key?.length ?? 0) + (message.value?.length ?? 0);
}

function batchBytes(member: PartitionBatch): number {
  let n = 0;
  for (const message of member.payload.batch.messages) n += messageBytes(message);
  return n;
}

/**
 * A partition batch cut, in offset order, into slices within the bounds (one slice when it fits).
 *
 * Each slice is a partition batch of its own: its last offset is its own last message's, so the
 * call that handles it commits (or puts in its transaction) exactly the offsets it handled, and
 * the next slice starts where it ended. The slices of one batch share kafkajs's payload
 * (heartbeat, isStale, resolveOffset, commit). The original batch (kafkajs's eachBatch) settles
 * once (when its last slice did, or at the first slice that failed). Once a slice failed or its
 * partition went to another member, the slices after it are skipped: nothing after them is
 * handled or committed, kafkajs fetches again from the last resolved offset (no message is lost
 * and none handled out of order). They are also skipped when `yieldRest` says so (a rebalance is
 * pending or the consumer closing), so that a long fetch does not hold the group's rebalance.
 */
export function slicePartitionBatch(member: PartitionBatch, bounds: CallBounds, yieldRest: () => boolean = () => false): PartitionBatch[] {
  const { messages } = member.payload.batch;
  const cuts: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    const size = message ? messageBytes(message) : 0;
    if (i > start && (i - start >= bounds.maxMessages || bytes + size > bounds.maxBytes)) {
      cuts.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  cuts.push([start, messages.length]);
  if (cuts.length === 1) return [member];

  const original = member.payload;
  const highWatermark = BigInt(original.batch.lastOffset()) + 1n + BigInt(original.batch.offsetLag());
  let stopped = false;
  let settled = false;
  const settleOnce = (settle: () => void) => {
    if (settled) return;
    settled = true;
    settle();
  };
  return cuts.map(([from, to], index) => {
    const part = messages.slice(from, to);
    const last = part[part.length - 1]?.offset ?? original.batch.lastOffset();
    const isLast = index === cuts.length - 1;
    const slice: PartitionBatch = {
      contractName: member.contractName,
      definition: member.definition,
      stale: false,
      payload: {
        ...original,
        batch: {
          topic: original.batch.topic,
          partition: original.batch.partition,
          messages: part,
          lastOffset: () => last,
          offsetLag: () => (highWatermark - BigInt(last) - 1n).toString(),
        },
      },
      skip: () => stopped || (index > 0 && (yieldRest() || original.isStale())),
      settle: {
        resolve: () => {
          // A slice let go (its partition went to another member) leaves the rest to the new owner.
          if (slice.stale) stopped = true;
          if (slice.stale || isLast) settleOnce(() => member.settle.resolve());
        },
        reject: (error) => {
          stopped = true;
          settleOnce(() => member.settle.reject(error));
        },
      },
    };
    return slice;
  });
}

/** Whole partition batches (or slices), in order, into calls within the bounds (a bigger one goes alone). */
export function groupUpTo(members: readonly PartitionBatch[], bounds: CallBounds): PartitionBatch[][] {
  const groups: PartitionBatch[][] = [];
  let current: PartitionBatch[] = [];
  let size = 0;
  let bytes = 0;
  for (const member of members) {
    const n = member.payload.batch.messages.length;
    const b = batchBytes(member);
    if (current.length > 0 && (size + n > bounds.maxMessages || bytes + b > bounds.maxBytes)) {
      groups.push(current);
      current = [];
      size = 0;
      bytes = 0;
    }
    current.push(member);
    size += n;
    bytes += b;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The calls of one flush in waves that may run at once (concurrentTopics): wave k holds each
 * topic's k-th call. A topic's calls stay in order one wave after the other, so the slices of one
 * partition never run together, and a wave has at most one call per topic.
 */
export function wavesOf(groups: readonly PartitionBatch[][]): PartitionBatch[][][] {
  const waves: PartitionBatch[][][] = [];
  const callsSoFar = new Map<string, number>();
  for (const group of groups) {
    const topic = group[0]?.contractName ?? '';
    const k = callsSoFar.get(topic) ?? 0;
    callsSoFar.set(topic, k + 1);
    (waves[k] ??= []).push(group);
  }
  return waves;
}

/**
 * kafkajs hands every partition batch of one fetch to its own eachBatch call, all in the same
 * tick. The gatherer collects those of one tick per topic and hands them on at the next
 * (setImmediate) as calls within the bounds, topics in the order they first arrived: partition
 * batches are combined whole up to the bounds, and a partition batch bigger than them is sliced
 * (slicePartitionBatch), so that no call outgrows what the bounds allow, whatever the fetch size.
 */
export class PartitionGatherer {
  private readonly gathering = new Map<string, PartitionBatch[]>();
  private flushScheduled = false;

  constructor(
    private readonly bounds: CallBounds,
    private readonly flush: (groups: PartitionBatch[][]) => void,
    /** True while the rest of a sliced fetch should be left to the next fetch (rebalance pending, closing). */
    private readonly yieldRest: () => boolean = () => false,
  ) {}

  add(member: PartitionBatch): void {
    const waiting = this.gathering.get(member.contractName);
    if (waiting) waiting.push(member);
    else this.gathering.set(member.contractName, [member]);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushNow());
  }

  private flushNow(): void {
    this.flushScheduled = false;
    const gathered = [...this.gathering.values()];
    this.gathering.clear();
    this.flush(
      gathered.flatMap((members) =>
        groupUpTo(
          members.flatMap((m) => slicePartitionBatch(m, this.bounds, this.yieldRest)),
          this.bounds,
        ),
      ),
    );
  }
}
