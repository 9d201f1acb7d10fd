import { uniqueId } from '@o2o/testing';
import { createRedis, GenerationCachedSet, Redis, SetSource } from '../src';
import { twoInstances } from './two-instances';

/** The source as a test sees it: a set, with counts of how it was read. */
class CountingSource implements SetSource {
  readonly members = new Set<string>();
  loads = 0;
  reads = 0;

  async loadAll(max: number): Promise<string[] | undefined> {
    this.loads += 1;
    return this.members.size > max ? undefined : [...this.members];
  }

  async among(values: readonly string[]): Promise<Set<string>> {
    this.reads += 1;
    return new Set(values.filter((v) => this.members.has(v)));
  }
}

/**
 * The copy against a real Redis: whatever a writer recorded before replacing the token (from any
 * instance), and whatever the source holds when the token is lost, is in every later answer.
 */
describe('GenerationCachedSet (real Redis)', () => {
  const run = uniqueId();
  const clients = twoInstances(run, 'generation-cached-set');

  const setOf = (client: Redis, source: SetSource, key: string, maxMembers = 100) =>
    new GenerationCachedSet(client, source, { key, maxMembers, logger: clients.logger });

  it('answers repeated checks from one load of the source', async () => {
    const source = new CountingSource();
    source.members.add('a');
    const set = setOf(clients.redis, source, 'one-load');
    for (let i = 0; i < 5; i++) expect(await set.among(['a', 'b'])).toEqual(new Set(['a']));
    expect(source.loads).toBe(1);
    expect(source.reads).toBe(0);
  });

  it('sees a member another instance recorded as soon as that instance replaced the token', async () => {
    const source = new CountingSource();
    const reader = setOf(clients.redis, source, 'two-instances');
    const writer = setOf(clients.otherInstance, source, 'two-instances');
    expect(await reader.among(['x'])).toEqual(new Set());
    source.members.add('x');
    // Recorded but not announced: the copy may still answer from before (as a read just before the write would).
    expect((await reader.among(['x'])).size).toBe(0);
    await writer.changed();
    expect(await reader.among(['x'])).toEqual(new Set(['x']));
    expect(source.loads).toBe(2);
  });

  it('reloads when the token is lost (Redis restarted or flushed)', async () => {
    const source = new CountingSource();
    const set = setOf(clients.redis, source, 'lost-token');
    expect(await set.among(['y'])).toEqual(new Set());
    source.members.add('y');
    await clients.otherInstance.del('lost-token');
    expect(await set.among(['y'])).toEqual(new Set(['y']));
  });

  it('shares one reload among concurrent checks', async () => {
    const source = new CountingSource();
    source.members.add('c');
    const set = setOf(clients.redis, source, 'concurrent');
    const answers = await Promise.all(Array.from({ length: 10 }, () => set.among(['c', 'd'])));
    for (const answer of answers) expect(answer).toEqual(new Set(['c']));
    expect(source.loads).toBe(1);
  });

  it('reads the source for every check when the set is too large to copy', async () => {
    const source = new CountingSource();
    for (let i = 0; i < 5; i++) source.members.add(`m${i}`);
    const set = setOf(clients.redis, source, 'too-large', 3);
    expect(await set.among(['m1', 'z'])).toEqual(new Set(['m1']));
    expect(await set.among(['m4'])).toEqual(new Set(['m4']));
    expect(source.reads).toBe(2);
  });

  it('reads the source when Redis does not answer, and a writer fails rather than leave copies stale', async () => {
    const source = new CountingSource();
    source.members.add('r');
    const down = createRedis({ url: 'redis://127.0.0.1:1', keyPrefix: clients.keyPrefix }, clients.logger);
    try {
      const set = setOf(down, source, 'redis-down');
      expect(await set.among(['r', 's'])).toEqual(new Set(['r']));
      expect(source.reads).toBe(1);
      expect(source.loads).toBe(0);
      await expect(set.changed()).rejects.toThrow();
    } finally {
      down.disconnect();
    }
  });
});
