import { createLogger } from '@o2o/observability';
import { createRedis, Redis } from '@o2o/redis';
import { expectEventually, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { PreparedRecord } from '../src/matching/domain';
import { TermFrequencyStore } from '../src/resolution/infrastructure/term-frequency.store';

/**
 * The training re-match scores every page of a pass against one snapshot of the name counts
 * (FEBRL 2's Bridget Singleton: two pages of one pass read counts that had grown in between and
 * gave the same pair 3.17 and 3.67). Against a real Redis: what is counted after the snapshot
 * does not change it, while a fresh read sees it.
 */
describe('TermFrequencyStore snapshot (real Redis)', () => {
  const run = uniqueId();
  let redis: Redis;
  let store: TermFrequencyStore;

  beforeAll(async () => {
    const config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution'));
    redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }, createLogger({ service: 'tf-test', level: 'warn' }));
    store = new TermFrequencyStore(redis);
    // The client fails fast while connecting (no offline queue), and the store reads a failure as no data.
    await expectEventually(async () => expect(await redis.ping()).toBe('PONG'));
  });

  afterAll(() => redis?.disconnect());

  const record = (i: number, firstName: string, lastName: string): PreparedRecord => ({ recordId: `r${i}`, firstName, lastName });

  it('keeps the counts and totals of the moment it was taken while records keep arriving', async () => {
    const filler = Array.from({ length: 1200 }, (_, i) => record(i, `first${i % 300}`, `last${i % 400}`));
    await store.add([
      ...filler,
      record(2000, 'bridget', 'singleton'),
      record(2001, 'bridget', 'quarry'),
      record(2002, 'bridget', 'singleton'),
    ]);
    const snapshot = await store.snapshot();
    if (snapshot === undefined) throw new Error('no snapshot from a running Redis');
    const before = await store.read(['firstName:bridget', 'lastName:singleton', 'firstName:zelda']);
    // The snapshot answers what a read at the same moment answers, for names it was not asked about too.
    expect(snapshot.occurrences('firstName', 'bridget')).toBe(3);
    expect(snapshot.occurrences('lastName', 'singleton')).toBe(2);
    expect(snapshot.frequency('firstName', 'bridget')).toBe(before.frequency('firstName', 'bridget'));
    expect(snapshot.frequency('lastName', 'singleton')).toBe(before.frequency('lastName', 'singleton'));
    expect(snapshot.frequency('lastName', 'last7')).toBe(3 / 1203);
    expect(snapshot.occurrences('firstName', 'zelda')).toBe(0);

    // More Bridgets and a first Zelda arrive during the pass.
    await store.add([record(3000, 'bridget', 'singleton'), record(3001, 'bridget', 'hanna'), record(3002, 'zelda', 'singleton')]);
    const after = await store.read(['firstName:bridget', 'lastName:singleton', 'firstName:zelda']);
    expect(after.occurrences('firstName', 'bridget')).toBe(5);
    expect(after.occurrences('firstName', 'zelda')).toBe(1);
    expect(after.frequency('firstName', 'bridget')).toBe(5 / 1206);
    // The snapshot is unchanged.
    expect(snapshot.occurrences('firstName', 'bridget')).toBe(3);
    expect(snapshot.frequency('firstName', 'bridget')).toBe(3 / 1203);
    expect(snapshot.occurrences('lastName', 'singleton')).toBe(2);
    expect(snapshot.occurrences('firstName', 'zelda')).toBe(0);
  });
});
