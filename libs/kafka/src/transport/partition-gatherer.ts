import { PartitionBatch } from './partition-batch';

/** Whole partition batches, in order, into calls of at most `limit` messages (a bigger batch goes alone). */
export function groupUpTo(members: readonly PartitionBatch[], limit: number): PartitionBatch[][] {
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

/**
 * kafkajs hands every partition batch of one fetch to its own eachBatch call, all in the same
 * tick. The gatherer collects those of one tick per topic and hands them on at the next
 * (setImmediate) as calls of at most `limit` messages, topics in the order they first arrived.
 */
export class PartitionGatherer {
  private readonly gathering = new Map<string, PartitionBatch[]>();
  private flushScheduled = false;

  constructor(
    private readonly limit: number,
    private readonly flush: (groups: PartitionBatch[][]) => void,
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
    this.flush(gathered.flatMap((members) => groupUpTo(members, this.limit)));
  }
}
