import { topics } from '@o2o/contracts';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { TransientError } from '../failure-kind';
import { nextOffsets, OffsetCommitter } from './offset-commits';
import { DeadLetter } from './partition-batch';
import { message, partitionBatch } from './partition-batch.fixture';
import { RetryPolicy } from './retry-policy';

const logger = createLogger({ service: 'offset-commits-spec', level: 'silent' });
const committer = (retries = 1) =>
  new OffsetCommitter(
    new RetryPolicy({
      retries,
      retryBackoffMs: 1,
      maxRetryBackoffMs: 2,
      logger,
      metrics: new PlatformMetrics('offset-commits-spec'),
      closing: () => false,
    }),
    logger,
    'prefix.group',
  );

describe('offset commits (at least once)', () => {
  it('stores dead letters before any offset moves, then resolves every live partition and commits them in one request', async () => {
    const order: string[] = [];
    const a = partitionBatch(topics.identitySnapshots, [{}, {}], {
      partition: 0,
      firstOffset: 10,
      commit: async () => void order.push('commit'),
    });
    const b = partitionBatch(topics.identitySnapshots, [{}], { partition: 1, firstOffset: 7 });
    const group = [a.member, b.member];
    const letters: DeadLetter[] = [
      { message: a.member.payload.batch.messages[0] ?? message(null, 0), partition: 0, reason: 'invalid-json', error: 'x', attempts: 0 },
    ];
    const done = await committer().commit(group, group, letters, 't', async (sent) => {
      order.push(`letters:${sent.length}:resolved=${a.log.resolved.length}`);
    });
    expect(done).toBe(true);
    expect(order).toEqual(['letters:1:resolved=0', 'commit']);
    expect(a.log.resolved).toEqual(['11']);
    expect(b.log.resolved).toEqual(['7']);
    expect(a.log.commits + b.log.commits).toBe(1);
  });

  it('retries a commit while the coordinator is away instead of throwing', async () => {
    let failures = 3;
    const a = partitionBatch(topics.identitySnapshots, [{}], {
      commit: async () => {
        if (failures-- > 0) throw new TransientError('coordinator away');
      },
    });
    expect(await committer(0).commit([a.member], [a.member], [], 't', async () => undefined)).toBe(true);
    expect(a.log.commits).toBe(4);
  });

  it('commits nothing while the dead letters cannot be stored, and lets the call go when its partitions moved', async () => {
    let stale = false;
    const a = partitionBatch(topics.identitySnapshots, [{}], { stale: () => stale });
    const letters: DeadLetter[] = [
      { message: a.member.payload.batch.messages[0] ?? message(null, 0), partition: 0, reason: 'invalid-json', error: 'x', attempts: 0 },
    ];
    const done = await committer().commit([a.member], [a.member], letters, 't', async () => {
      stale = true;
      throw new TransientError('broker away');
    });
    expect(done).toBe(false);
    expect(a.log.resolved).toEqual([]);
    expect(a.log.commits).toBe(0);
  });

  it('throws a dead-letter failure that is not the infrastructure, with nothing committed', async () => {
    const a = partitionBatch(topics.identitySnapshots, [{}]);
    const letters: DeadLetter[] = [
      { message: a.member.payload.batch.messages[0] ?? message(null, 0), partition: 0, reason: 'invalid-json', error: 'x', attempts: 0 },
    ];
    await expect(
      committer(0).commit([a.member], [a.member], letters, 't', async () => Promise.reject(new Error('record too large'))),
    ).rejects.toThrow('record too large');
    expect(a.log.commits).toBe(0);
  });

  it('names the next offset of each partition: one past its last message', () => {
    const a = partitionBatch(topics.identitySnapshots, [{}, {}, {}], { partition: 2, firstOffset: 40 });
    const b = partitionBatch(topics.identitySnapshots, [{}], { partition: 5 });
    // Offsets are 64-bit: beyond what a JavaScript number holds exactly.
    b.member.payload.batch.lastOffset = () => '9223372036854775806';
    expect(nextOffsets('cluster.topic', [a.member, b.member])).toEqual({
      topic: 'cluster.topic',
      partitions: [
        { partition: 2, offset: '43' },
        { partition: 5, offset: '9223372036854775807' },
      ],
    });
  });
});
