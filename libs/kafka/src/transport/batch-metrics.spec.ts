import { topics } from '@o2o/contracts';
import { PlatformMetrics } from '@o2o/observability';
import { BatchMetrics } from './batch-metrics';
import { decodeGroup, parseGroup } from './message-decoder';
import { partitionBatch } from './partition-batch.fixture';

describe('batch metrics', () => {
  it('counts what a call received, skipped and shredded, and observes latency only for messages still owned', async () => {
    const metrics = new PlatformMetrics('batch-metrics-spec');
    const recorder = new BatchMetrics(metrics);
    const mine = partitionBatch(topics.identitySnapshots, [null, null], { partition: 0, keys: ['a', 'b'], highWatermark: 12 });
    const lost = partitionBatch(topics.identitySnapshots, [null], { partition: 1, keys: ['c'] });
    const group = [mine.member, lost.member];
    const items = decodeGroup(
      topics.identitySnapshots,
      group,
      parseGroup(topics.identitySnapshots, group).values,
      new Map(),
      new Set(),
    ).items;
    lost.member.stale = true;
    recorder.received('identity.snapshots.v1', 3);
    recorder.decoded('identity.snapshots.v1', 2, 0);
    recorder.finished('identity.snapshots.v1', items, [mine.member], process.hrtime.bigint());
    const topic = 'identity.snapshots.v1';
    expect((await metrics.eventsConsumed.get()).values.map((v) => [v.labels['topic'], v.value])).toEqual([[topic, 3]]);
    expect((await metrics.shredded.get()).values.map((v) => [v.labels['topic'], v.value])).toEqual([[topic, 2]]);
    expect((await metrics.skipped.get()).values).toEqual([]);
    const latencyCount = (await metrics.eventLatency.get()).values.find(
      (v) => v.metricName === 'o2o_event_processing_latency_seconds_count',
    );
    expect(latencyCount?.value).toBe(2);
    expect((await metrics.consumerLag.get()).values.map((v) => [v.labels['partition'], v.value])).toEqual([['0', 10]]);
    expect((await metrics.batchDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
  });
});
