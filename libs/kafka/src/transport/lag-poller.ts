import { Admin, Kafka } from 'kafkajs';
import { Logger, PlatformMetrics } from '@o2o/observability';

/**
 * A partition's lag: its end offset less the group's committed position; with nothing committed,
 * everything the partition still holds.
 */
export function partitionLag(end: { high: string; low: string }, committed: number | undefined): number {
  const position = committed ?? -1;
  const lag = position < 0 ? Number(end.high) - Number(end.low) : Number(end.high) - position;
  return Math.max(0, lag);
}

export interface LagPollerOptions {
  kafka: Kafka;
  /** The consumer group's full name (with the prefix). */
  groupId: string;
  /** Contract names with the cluster topics they are read from. */
  topics: ReadonlyArray<{ contractName: string; clusterTopic: string }>;
  metrics: Pick<PlatformMetrics, 'consumerLag'>;
  logger: Logger;
  intervalMs: number;
}

/**
 * Consumer lag per partition from the group's committed offsets and the topics' end offsets,
 * polled: a per-batch figure would never update partitions that are waiting their turn, and
 * lag is what operators scale on.
 */
export class LagPoller {
  private timer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  private connected: Promise<void> | undefined;

  constructor(private readonly options: LagPollerOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    const admin = this.options.kafka.admin();
    this.timer = setInterval(() => void this.poll(admin), this.options.intervalMs);
    this.timer.unref();
  }

  /** Reads every topic's lag once and sets the gauge (failures are logged at debug: the next poll tries again). */
  async poll(admin: Admin): Promise<void> {
    const { groupId, metrics } = this.options;
    try {
      this.connected ??= admin.connect().then(
        () => {
          this.admin = admin;
        },
        (error: unknown) => {
          this.connected = undefined;
          throw error;
        },
      );
      await this.connected;
      for (const { contractName, clusterTopic } of this.options.topics) {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(clusterTopic),
          admin.fetchOffsets({ groupId, topics: [clusterTopic] }),
        ]);
        const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        for (const end of ends)
          metrics.consumerLag.set(
            { topic: contractName, partition: String(end.partition) },
            partitionLag(end, committedBy.get(end.partition)),
          );
      }
    } catch (error) {
      this.options.logger.debug({ err: error }, 'lag poll failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
