import { PlatformMetrics } from '@o2o/observability';
import { DecodedItem, PartitionBatch } from './partition-batch';

type Metrics = Pick<
  PlatformMetrics,
  'eventsConsumed' | 'batchSize' | 'shredded' | 'skipped' | 'eventLatency' | 'consumerLag' | 'batchDuration'
>;

/** A call's metrics, each recorded once per call (the latency histogram per message, its labels resolved once). */
export class BatchMetrics {
  constructor(private readonly metrics: Metrics) {}

  received(topic: string, messages: number): void {
    this.metrics.eventsConsumed.inc({ topic }, messages);
    this.metrics.batchSize.observe({ topic }, messages);
  }

  decoded(topic: string, shredded: number, skipped: number): void {
    if (shredded > 0) this.metrics.shredded.inc({ topic }, shredded);
    if (skipped > 0) this.metrics.skipped.inc({ topic }, skipped);
  }

  /** Event latency (broker timestamp to now) of the messages still owned, lag of the partitions committed, the call's duration. */
  finished(topic: string, decoded: readonly DecodedItem[], live: readonly PartitionBatch[], started: bigint, now = Date.now()): void {
    const latency = this.metrics.eventLatency.labels({ topic });
    for (const item of decoded) if (!item.owner.stale) latency.observe(Math.max(0, now - Number(item.source.timestamp)) / 1000);
    for (const member of live) {
      this.metrics.consumerLag.set(
        { topic, partition: String(member.payload.batch.partition) },
        Math.max(0, Number(member.payload.batch.offsetLag())),
      );
    }
    this.metrics.batchDuration.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
