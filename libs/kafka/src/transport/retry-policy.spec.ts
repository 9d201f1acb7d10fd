import { topics } from '@o2o/contracts';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { TransientError } from '../failure-kind';
import { partitionBatch } from './partition-batch.fixture';
import { backoffMs, isRebalanceError, RetryPolicy } from './retry-policy';

const logger = createLogger({ service: 'retry-policy-spec', level: 'silent' });

function policy(retries: number, closing = () => false): { retry: RetryPolicy; metrics: PlatformMetrics } {
  const metrics = new PlatformMetrics('retry-policy-spec');
  return { retry: new RetryPolicy({ retries, retryBackoffMs: 1, maxRetryBackoffMs: 4, logger, metrics, closing }), metrics };
}

async function retriesCounted(metrics: PlatformMetrics): Promise<number> {
  return (await metrics.batchRetries.get()).values.reduce((n, v) => n + v.value, 0);
}

/** Work that fails with each of `errors` in turn, then returns `value`. */
function failing<T>(errors: unknown[], value: T): { work: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    work: async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe('retry policy', () => {
  it('gives up on a failure of the message itself after the configured retries', async () => {
    const { retry, metrics } = policy(2);
    const { member } = partitionBatch(topics.identitySnapshots, [{}]);
    const boom = new Error('bad data');
    const work = failing([boom, boom, boom, boom], 'never');
    const result = await retry.run([member], 'topic', work.work);
    expect(result).toEqual({ ok: false, stale: false, error: boom, attempts: 3 });
    expect(work.calls()).toBe(3);
    expect(await retriesCounted(metrics)).toBe(2);
  });

  it('waits out infrastructure failures however many, reports the topic waiting meanwhile, and does not count them against the message', async () => {
    const { retry } = policy(0);
    const { member } = partitionBatch(topics.identitySnapshots, [{}]);
    const seenWaiting: string[][] = [];
    let calls = 0;
    const result = await retry.run([member], 'topic-a', async () => {
      calls++;
      seenWaiting.push(retry.waitingTopics());
      if (calls <= 6) throw new TransientError('store away');
      return 'done';
    });
    expect(result).toEqual({ ok: true, value: 'done' });
    expect(seenWaiting[0]).toEqual([]);
    expect(seenWaiting[6]).toEqual(['topic-a']);
    expect(retry.isWaiting()).toBe(false);
  });

  it('a transient failure resets the count of the message own failures', async () => {
    const { retry } = policy(1);
    const { member } = partitionBatch(topics.identitySnapshots, [{}]);
    const boom = new Error('bad');
    const work = failing([boom, new TransientError('away'), boom, new TransientError('away')], 'ok');
    expect(await retry.run([member], 't', work.work)).toEqual({ ok: true, value: 'ok' });
  });

  it('lets the call go uncommitted when every partition went to another member', async () => {
    let stale = false;
    const { retry } = policy(5);
    const { member } = partitionBatch(topics.identitySnapshots, [{}], { stale: () => stale });
    const result = await retry.run([member], 't', async () => {
      stale = true;
      throw new TransientError('away');
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.stale).toBe(true);
    expect(member.stale).toBe(true);
  });

  it('lets the call go when the group is rebalancing (the heartbeat says so)', async () => {
    const { retry } = policy(5);
    const { member, log } = partitionBatch(topics.identitySnapshots, [{}], {
      heartbeat: async () => Promise.reject(Object.assign(new Error('rebalance'), { type: 'REBALANCE_IN_PROGRESS' })),
    });
    const result = await retry.run([member], 't', async () => Promise.reject(new TransientError('away')));
    expect(!result.ok && result.stale).toBe(true);
    expect(log.heartbeats).toBe(1);
  });

  it('lets the call go when the transport is closing', async () => {
    const { retry } = policy(5, () => true);
    const { member } = partitionBatch(topics.identitySnapshots, [{}]);
    const result = await retry.run([member], 't', async () => Promise.reject(new TransientError('away')));
    expect(!result.ok && result.stale).toBe(true);
    expect(member.stale).toBe(true);
  });

  it('doubles the backoff, capped while the infrastructure is away', () => {
    expect([1, 2, 3, 4, 10, 40].map((n) => backoffMs(true, n, 200, 5000))).toEqual([200, 400, 800, 1600, 5000, 5000]);
    expect([1, 2, 3].map((n) => backoffMs(false, n, 200, 5000))).toEqual([200, 400, 800]);
  });

  it('recognises the heartbeat errors of a rebalance only', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID'])
      expect(isRebalanceError({ type })).toBe(true);
    expect(isRebalanceError({ type: 'REQUEST_TIMED_OUT' })).toBe(false);
    expect(isRebalanceError(new Error('x'))).toBe(false);
  });
});
