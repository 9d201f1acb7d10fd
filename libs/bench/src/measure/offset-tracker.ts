import { Admin, Kafka } from 'kafkajs';

/** Offsets per partition, index = partition. */
export type PartitionOffsets = number[];

export interface OffsetSample {
  at: number;
  /** group -> contract topic -> committed offset per partition (next offset to read; 0 before any commit). */
  committed: Map<string, Map<string, PartitionOffsets>>;
  /** contract topic -> high watermark per partition. */
  highWatermarks: Map<string, PartitionOffsets>;
}

export interface TrackedGroup {
  /** Service name (= the group id without the prefix). */
  service: string;
  /** Contract names of the topics it consumes. */
  inputs: string[];
}

/**
 * Samples every consumer group's committed offsets and every topic's high watermark. The
 * services commit after each batch's effects are stored and published, so "group G committed
 * past offset o" means "G's effect of message o is durable and its outputs are on their topics":
 * the end-to-end completion of an event is read from these samples.
 */
export class OffsetTracker {
  readonly samples: OffsetSample[] = [];
  private readonly admin: Admin;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private failures = 0;

  constructor(
    kafka: Kafka,
    private readonly prefix: string,
    private readonly groups: TrackedGroup[],
    private readonly topicNames: string[],
    private readonly periodMs: number,
  ) {
    this.admin = kafka.admin();
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.sample();
    this.timer = setInterval(() => {
      // Skip a tick rather than pile requests up when the broker is slow to answer.
      if (!this.sampling) this.sampling = this.sample().finally(() => (this.sampling = undefined));
    }, this.periodMs);
  }

  latest(): OffsetSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Takes a sample now (e.g. at the end of a phase) and returns it. */
  async sampleNow(): Promise<OffsetSample | undefined> {
    await this.sampling;
    await this.sample();
    return this.latest();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sampling;
    await this.admin.disconnect();
  }

  get sampleFailures(): number {
    return this.failures;
  }

  private async sample(): Promise<void> {
    try {
      const at = Date.now();
      const [committedEntries, hwEntries] = await Promise.all([
        Promise.all(
          this.groups.map(async (g) => {
            const answer = await this.admin.fetchOffsets({
              groupId: `${this.prefix}${g.service}`,
              topics: g.inputs.map((t) => `${this.prefix}${t}`),
            });
            const byTopic = new Map<string, PartitionOffsets>();
            for (const t of answer) {
              const offsets: PartitionOffsets = [];
              // -1 (no commit yet) is kept: a topic with no commit on any partition is one the group does not read.
              for (const p of t.partitions) offsets[p.partition] = Number(p.offset);
              byTopic.set(t.topic.slice(this.prefix.length), offsets);
            }
            return [g.service, byTopic] as const;
          }),
        ),
        Promise.all(
          this.topicNames.map(async (name) => {
            const answer = await this.admin.fetchTopicOffsets(`${this.prefix}${name}`);
            const offsets: PartitionOffsets = [];
            for (const p of answer) offsets[p.partition] = Number(p.high);
            return [name, offsets] as const;
          }),
        ),
      ]);
      this.samples.push({ at, committed: new Map(committedEntries), highWatermarks: new Map(hwEntries) });
    } catch {
      // A missed sample only coarsens the timeline; the run goes on.
      this.failures++;
    }
  }
}

export function sum(offsets: PartitionOffsets | undefined): number {
  return (offsets ?? []).reduce((s, x) => s + Math.max(0, x ?? 0), 0);
}

/** Committed offset of one partition, 0 before the first commit. */
export function committedAt(sample: OffsetSample | undefined, service: string, topic: string, partition: number): number {
  return Math.max(0, sample?.committed.get(service)?.get(topic)?.[partition] ?? 0);
}

/**
 * Messages a group has not yet committed on one of its input topics; undefined when the group
 * has never committed on any partition of it while it has messages (it does not read that topic).
 */
export function lagOf(sample: OffsetSample, service: string, topic: string): number | undefined {
  const committed = sample.committed.get(service)?.get(topic) ?? [];
  const high = sample.highWatermarks.get(topic) ?? [];
  if (sum(high) > 0 && !committed.some((c) => c !== undefined && c >= 0)) return undefined;
  let lag = 0;
  for (let p = 0; p < high.length; p++) lag += Math.max(0, (high[p] ?? 0) - Math.max(0, committed[p] ?? 0));
  return lag;
}
