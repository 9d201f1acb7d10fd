import { TopicDefinition, topics } from '@o2o/contracts';
import { PartitionBatch } from './partition-batch';
import { partitionBatch } from './partition-batch.fixture';
import { groupUpTo, PartitionGatherer } from './partition-gatherer';

const batchOf = (n: number, partition: number, definition: TopicDefinition = topics.identitySnapshots) =>
  partitionBatch(
    definition,
    Array.from({ length: n }, () => ({})),
    { partition },
  ).member;
const shape = (groups: PartitionBatch[][]) => groups.map((g) => g.map((m) => `${m.contractName}:${m.payload.batch.partition}`));

describe('gathering partition batches into calls', () => {
  it('combines whole partition batches in order up to the limit; a bigger batch goes alone', () => {
    const members = [batchOf(200, 0), batchOf(250, 1), batchOf(100, 2), batchOf(600, 3), batchOf(1, 4)];
    expect(groupUpTo(members, 500).map((g) => g.map((m) => m.payload.batch.partition))).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('never splits or reorders a partition batch, for any sizes and limit', () => {
    for (let seed = 1; seed < 200; seed++) {
      const sizes = Array.from({ length: 1 + (seed % 9) }, (_, i) => 1 + ((seed * (i + 7)) % 37));
      const limit = 1 + (seed % 60);
      const groups = groupUpTo(
        sizes.map((n, i) => batchOf(n, i)),
        limit,
      );
      expect(groups.flat().map((m) => m.payload.batch.partition)).toEqual(sizes.map((_, i) => i));
      for (const g of groups)
        if (g.length > 1) expect(g.reduce((n, m) => n + m.payload.batch.messages.length, 0)).toBeLessThanOrEqual(limit);
    }
  });

  it('hands on the batches of one tick per topic, in one flush', async () => {
    const flushes: PartitionBatch[][][] = [];
    const gatherer = new PartitionGatherer(500, (groups) => flushes.push(groups));
    gatherer.add(batchOf(1, 0));
    gatherer.add(batchOf(1, 0, topics.identityEvents));
    gatherer.add(batchOf(1, 1));
    expect(flushes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    gatherer.add(batchOf(1, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes.map(shape)).toEqual([
      [[`identity.snapshots.v1:0`, `identity.snapshots.v1:1`], [`identity.events.v1:0`]],
      [[`identity.snapshots.v1:2`]],
    ]);
  });
});
