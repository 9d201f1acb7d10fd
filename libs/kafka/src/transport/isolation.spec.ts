import { topics } from '@o2o/contracts';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { TransientError } from '../failure-kind';
import { KafkaBatchContext } from './consumed-batch';
import { outcomeLetters, runIsolating } from './isolation';
import { decodeGroup, parseGroup } from './message-decoder';
import { DecodedItem, PartitionBatch } from './partition-batch';
import { partitionBatch, snapshotEnvelope } from './partition-batch.fixture';
import { RetryPolicy } from './retry-policy';

const retry = () =>
  new RetryPolicy({
    retries: 1,
    retryBackoffMs: 1,
    maxRetryBackoffMs: 2,
    logger: createLogger({ service: 'isolation-spec', level: 'silent' }),
    metrics: new PlatformMetrics('isolation-spec'),
    closing: () => false,
  });

const event = (customerId: string) => snapshotEnvelope(customerId);

function decoded(groups: PartitionBatch[]): DecodedItem[] {
  return decodeGroup(topics.identitySnapshots, groups, parseGroup(topics.identitySnapshots, groups).values, new Map(), new Set()).items;
}

const idOf = (item: DecodedItem) => (item.consumed.kind === 'event' ? (item.consumed.event as { subject: string }).subject : '');

/** A handler that fails for any call containing a poison id, rejects the ids in `reject`, and records its calls. */
function handler(poison: Set<string>, reject: Set<string> = new Set(), transientFirst = 0) {
  const calls: string[][] = [];
  let transient = transientFirst;
  const run = async (items: DecodedItem[]) => {
    calls.push(items.map(idOf));
    if (transient-- > 0) throw new TransientError('store away');
    if (items.some((i) => poison.has(idOf(i)))) throw new Error('poison');
    const ctx = new KafkaBatchContext('t', []);
    for (const i of items)
      if (reject.has(idOf(i))) ctx.reject({ partition: i.partition, offset: i.consumed.offset }, 'business-rule', 'refused');
    return ctx;
  };
  return { run, calls };
}

describe('retry and isolation', () => {
  it('runs a call that succeeds once, as a whole', async () => {
    const { member } = partitionBatch(topics.identitySnapshots, [event('a'), event('b')]);
    const items = decoded([member]);
    expect(items).toHaveLength(2);
    const h = handler(new Set());
    const outcome = await runIsolating(items, [member], 't', retry(), h.run, false);
    expect(h.calls).toEqual([['a', 'b']]);
    expect(outcome.failures.size).toBe(0);
    expect(outcomeLetters(items, outcome)).toEqual([]);
  });

  it('isolates the poison message: the others are handled alone and only it is dead-lettered, with its attempts', async () => {
    const { member } = partitionBatch(topics.identitySnapshots, [event('a'), event('p'), event('c')], { partition: 4 });
    const items = decoded([member]);
    const h = handler(new Set(['p']));
    const outcome = await runIsolating(items, [member], 't', retry(), h.run, false);
    expect(h.calls).toEqual([['a', 'p', 'c'], ['a', 'p', 'c'], ['a'], ['p'], ['p'], ['c']]);
    const letters = outcomeLetters(items, outcome);
    expect(letters.map((l) => [l.message.offset, l.partition, l.reason, l.attempts, l.error])).toEqual([
      ['1', 4, 'processing-failed', 2, 'Error: poison'],
    ]);
  });

  it('does not split a call the infrastructure failed: it is held and retried whole', async () => {
    const { member } = partitionBatch(topics.identitySnapshots, [event('a'), event('b')]);
    const items = decoded([member]);
    const h = handler(new Set(), new Set(), 5);
    const outcome = await runIsolating(items, [member], 't', retry(), h.run, false);
    expect(h.calls.every((c) => c.length === 2)).toBe(true);
    expect(h.calls).toHaveLength(6);
    expect(outcomeLetters(items, outcome)).toEqual([]);
  });

  it('dead-letters handler rejections once each, with the reason, in message order', async () => {
    const { member } = partitionBatch(topics.identitySnapshots, [event('a'), event('r'), event('s')], { partition: 1 });
    const items = decoded([member]);
    const outcome = await runIsolating(items, [member], 't', retry(), handler(new Set(), new Set(['s', 'r'])).run, false);
    outcome.rejected.push({ partition: 1, offset: '1', reason: 'second', error: 'ignored' });
    expect(outcomeLetters(items, outcome).map((l) => [l.message.offset, l.reason, l.attempts])).toEqual([
      ['1', 'business-rule', 1],
      ['2', 'business-rule', 1],
    ]);
  });

  it('leaves the messages of a partition another member now owns to it', async () => {
    const mine = partitionBatch(topics.identitySnapshots, [event('a')], { partition: 0 });
    const lost = partitionBatch(topics.identitySnapshots, [event('p')], { partition: 1 });
    const items = decoded([mine.member, lost.member]);
    const outcome = { rejected: [], failures: new Map(items.map((i) => [i, { error: new Error('x'), attempts: 2 }])) };
    lost.member.stale = true;
    expect(outcomeLetters(items, outcome).map((l) => l.partition)).toEqual([0]);
  });

  it('gives a call sharing a transaction one attempt and throws its failure', async () => {
    const { member } = partitionBatch(topics.identitySnapshots, [event('p')]);
    const items = decoded([member]);
    const h = handler(new Set(['p']));
    await expect(runIsolating(items, [member], 't', retry(), h.run, true)).rejects.toThrow('poison');
    expect(h.calls).toHaveLength(1);
  });
});
