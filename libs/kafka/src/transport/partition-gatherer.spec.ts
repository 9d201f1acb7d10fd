import { TopicDefinition, topics } from '@o2o/contracts';
import { PartitionBatch } from './partition-batch';
import { partitionBatch } from './partition-batch.fixture';
import { CallBounds, groupUpTo, messageBytes, PartitionGatherer, slicePartitionBatch, wavesOf } from './partition-gatherer';

const batchOf = (n: number, partition: number, definition: TopicDefinition = topics.identitySnapshots) =>
  partitionBatch(
    definition,
    Array.from({ length: n }, () => ({})),
    { partition },
  ).member;
const byCount = (maxMessages: number): CallBounds => ({ maxMessages, maxBytes: Number.MAX_SAFE_INTEGER });
const offsets = (m: PartitionBatch) => m.payload.batch.messages.map((x) => Number(x.offset));
const shape = (groups: PartitionBatch[][]) => groups.map((g) => g.map((m) => `${m.contractName}:${m.payload.batch.partition}`));

describe('gathering partition batches into calls', () => {
  it('combines whole partition batches in order up to the limit; a bigger batch goes alone', () => {
    const members = [batchOf(200, 0), batchOf(250, 1), batchOf(100, 2), batchOf(600, 3), batchOf(1, 4)];
    expect(groupUpTo(members, byCount(500)).map((g) => g.map((m) => m.payload.batch.partition))).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('never splits or reorders a partition batch, for any sizes and limit', () => {
    for (let seed = 1; seed < 200; seed++) {
      const sizes = Array.from({ length: 1 + (seed % 9) }, (_, i) => 1 + ((seed * (i + 7)) % 37));
      const limit = 1 + (seed % 60);
      const groups = groupUpTo(
        sizes.map((n, i) => batchOf(n, i)),
        byCount(limit),
      );
      expect(groups.flat().map((m) => m.payload.batch.partition)).toEqual(sizes.map((_, i) => i));
      for (const g of groups)
        if (g.length > 1) expect(g.reduce((n, m) => n + m.payload.batch.messages.length, 0)).toBeLessThanOrEqual(limit);
    }
  });

  it('hands on the batches of one tick per topic, in one flush', async () => {
    const flushes: PartitionBatch[][][] = [];
    const gatherer = new PartitionGatherer(byCount(500), (groups) => flushes.push(groups));
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

  it('slices a partition batch bigger than the bounds into consecutive calls, each committing its own last offset', async () => {
    const flushes: PartitionBatch[][][] = [];
    const gatherer = new PartitionGatherer(byCount(400), (groups) => flushes.push(groups));
    const big = partitionBatch(
      topics.identitySnapshots,
      Array.from({ length: 1000 }, () => ({})),
      { partition: 3, firstOffset: 5000, highWatermark: 7000 },
    ).member;
    gatherer.add(big);
    gatherer.add(batchOf(100, 4));
    await new Promise((resolve) => setImmediate(resolve));
    const [groups = []] = flushes;
    expect(groups.map((g) => g.map((m) => `${m.payload.batch.partition}:${m.payload.batch.messages.length}`))).toEqual([
      ['3:400'],
      ['3:400'],
      ['3:200', '4:100'],
    ]);
    const slices = groups.flat().filter((m) => m.payload.batch.partition === 3);
    expect(slices.map((m) => [offsets(m)[0], m.payload.batch.lastOffset(), m.payload.batch.offsetLag()])).toEqual([
      [5000, '5399', '1600'],
      [5400, '5799', '1200'],
      [5800, '5999', '1000'],
    ]);
  });

  it('bounds calls by bytes: a slice ends before the message that would pass the bound; one bigger message goes alone', () => {
    const values = ['a'.repeat(300), 'b'.repeat(300), 'c'.repeat(300), 'd'.repeat(2000), 'e'.repeat(10)];
    const member = partitionBatch(topics.identitySnapshots, values).member;
    const sizes = member.payload.batch.messages.map(messageBytes);
    const slices = slicePartitionBatch(member, { maxMessages: 100, maxBytes: 700 });
    expect(slices.map(offsets)).toEqual([[0, 1], [2], [3], [4]]);
    for (const slice of slices)
      if (slice.payload.batch.messages.length > 1)
        expect(slice.payload.batch.messages.reduce((n, m) => n + messageBytes(m), 0)).toBeLessThanOrEqual(700);
    expect(sizes[3]).toBeGreaterThan(700);
    const groups = groupUpTo([batchOf(3, 0), ...slices], { maxMessages: 100, maxBytes: 700 });
    expect(groups.map((g) => g.map((m) => `${m.payload.batch.partition}:${offsets(m).join(',')}`))).toEqual([
      ['0:0,1,2', '0:0,1'],
      ['0:2'],
      ['0:3'],
      ['0:4'],
    ]);
  });

  it('keeps every message once, in offset order, in calls within the bounds, for any sizes and bounds', () => {
    for (let seed = 1; seed < 200; seed++) {
      const bounds = { maxMessages: 1 + (seed % 23), maxBytes: 40 + ((seed * 13) % 400) };
      const members = Array.from(
        { length: 1 + (seed % 5) },
        (_, p) =>
          partitionBatch(
            topics.identitySnapshots,
            Array.from({ length: (seed * (p + 3)) % 61 }, (_, i) => 'x'.repeat((seed * (i + 1)) % 97)),
            { partition: p },
          ).member,
      );
      const groups = groupUpTo(
        members.flatMap((m) => slicePartitionBatch(m, bounds)),
        bounds,
      );
      for (const g of groups) {
        const messages = g.flatMap((m) => m.payload.batch.messages);
        expect(messages.length).toBeLessThanOrEqual(bounds.maxMessages);
        if (messages.length > 1) expect(messages.reduce((n, m) => n + messageBytes(m), 0)).toBeLessThanOrEqual(bounds.maxBytes);
      }
      for (const [p, member] of members.entries()) {
        const handled = groups.flat().filter((m) => m.payload.batch.partition === p);
        expect(handled.flatMap(offsets)).toEqual(offsets(member));
        for (const slice of handled)
          expect(slice.payload.batch.lastOffset()).toBe(String(offsets(slice).at(-1) ?? member.payload.batch.lastOffset()));
      }
    }
  });

  it("settles kafkajs's batch after its last slice; after a failed slice the rest is skipped and the batch rejected once", () => {
    const outcome: string[] = [];
    const member = partitionBatch(
      topics.identitySnapshots,
      Array.from({ length: 10 }, () => ({})),
    ).member;
    member.settle = { resolve: () => outcome.push('resolved'), reject: (e) => outcome.push(`rejected: ${String(e)}`) };
    const [a, b, c] = slicePartitionBatch(member, byCount(4));
    if (!a || !b || !c) throw new Error('three slices expected');
    expect([a.skip?.(), b.skip?.(), c.skip?.()]).toEqual([false, false, false]);
    a.settle.resolve();
    expect(outcome).toEqual([]);
    b.settle.reject(new Error('boom'));
    expect(c.skip?.()).toBe(true);
    c.settle.resolve();
    expect(outcome).toEqual(['rejected: Error: boom']);

    const fine: string[] = [];
    const whole = partitionBatch(
      topics.identitySnapshots,
      Array.from({ length: 10 }, () => ({})),
    ).member;
    whole.settle = { resolve: () => fine.push('resolved'), reject: () => fine.push('rejected') };
    const slices = slicePartitionBatch(whole, byCount(4));
    for (const slice of slices.slice(0, -1)) slice.settle.resolve();
    expect(fine).toEqual([]);
    slices.at(-1)?.settle.resolve();
    expect(fine).toEqual(['resolved']);
  });

  it('skips the slices after one whose partition went to another member, and those after the first when the rest is to yield', () => {
    const lost = partitionBatch(
      topics.identitySnapshots,
      Array.from({ length: 9 }, () => ({})),
    ).member;
    let resolved = 0;
    lost.settle = { resolve: () => resolved++, reject: () => undefined };
    const [first, second, third] = slicePartitionBatch(lost, byCount(3));
    if (!first || !second || !third) throw new Error('three slices expected');
    first.stale = true;
    first.settle.resolve();
    expect(resolved).toBe(1);
    expect([second.skip?.(), third.skip?.()]).toEqual([true, true]);

    let yieldRest = false;
    const rebalanced = slicePartitionBatch(
      partitionBatch(
        topics.identitySnapshots,
        Array.from({ length: 9 }, () => ({})),
      ).member,
      byCount(3),
      () => yieldRest,
    );
    expect(rebalanced.map((s) => s.skip?.())).toEqual([false, false, false]);
    yieldRest = true;
    expect(rebalanced.map((s) => s.skip?.())).toEqual([false, true, true]);

    let stale = false;
    const revoked = slicePartitionBatch(
      partitionBatch(
        topics.identitySnapshots,
        Array.from({ length: 6 }, () => ({})),
        { stale: () => stale },
      ).member,
      byCount(3),
    );
    stale = true;
    expect(revoked.map((s) => s.skip?.())).toEqual([false, true]);
  });

  it('leaves a batch within the bounds as it is', () => {
    const member = batchOf(10, 0);
    expect(slicePartitionBatch(member, byCount(10))).toEqual([member]);
  });

  it("puts one topic's calls in successive waves, so that slices of a partition never run together", () => {
    const slices = slicePartitionBatch(batchOf(9, 0), byCount(3));
    const events = batchOf(2, 1, topics.identityEvents);
    const groups = [...groupUpTo(slices, byCount(3)), [events]];
    expect(wavesOf(groups).map((wave) => wave.map((g) => g.map((m) => `${m.contractName}:${offsets(m).join(',')}`)))).toEqual([
      [[`identity.snapshots.v1:0,1,2`], [`identity.events.v1:0,1`]],
      [[`identity.snapshots.v1:3,4,5`]],
      [[`identity.snapshots.v1:6,7,8`]],
    ]);
  });
});
