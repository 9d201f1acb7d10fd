import { MAX_MERGE_HOPS } from '@o2o/contracts';
import { loadWithSurvivors } from './merge-chains';

interface Doc {
  id: string;
  mergedInto?: string;
}

function store(docs: Doc[]) {
  const byId = new Map(docs.map((d) => [d.id, d]));
  const reads: string[][] = [];
  const read = async (ids: string[]) => {
    reads.push([...ids]);
    return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id) as Doc] as const] : [])));
  };
  return { read, reads };
}

describe('loadWithSurvivors', () => {
  it('reads once when nothing was merged, with duplicate ids asked once', async () => {
    const { read, reads } = store([{ id: 'a' }, { id: 'b' }]);
    const { docs, survivorOf } = await loadWithSurvivors(['a', 'b', 'a', 'missing'], read);
    expect(reads).toEqual([['a', 'b', 'missing']]);
    expect([...docs.keys()].sort()).toEqual(['a', 'b']);
    expect(['a', 'b', 'missing'].map(survivorOf)).toEqual(['a', 'b', 'missing']);
  });

  it('follows a merge chain one read per hop and resolves every id to the last survivor', async () => {
    const { read, reads } = store([{ id: 'c', mergedInto: 'b' }, { id: 'b', mergedInto: 'a' }, { id: 'a' }]);
    const { survivorOf } = await loadWithSurvivors(['c'], read);
    expect(reads).toEqual([['c'], ['b'], ['a']]);
    expect(['c', 'b', 'a'].map(survivorOf)).toEqual(['a', 'a', 'a']);
  });

  it('stops at a cycle and after MAX_MERGE_HOPS reads of a longer chain', async () => {
    const cycle = store([
      { id: 'x', mergedInto: 'y' },
      { id: 'y', mergedInto: 'x' },
    ]);
    const resolved = await loadWithSurvivors(['x'], cycle.read);
    expect(resolved.survivorOf('x')).toBe('y');
    expect(cycle.reads).toEqual([['x'], ['y']]);
    const length = MAX_MERGE_HOPS + 5;
    const chain = store(Array.from({ length }, (_, i) => ({ id: `n${i}`, ...(i + 1 < length ? { mergedInto: `n${i + 1}` } : {}) })));
    await loadWithSurvivors(['n0'], chain.read);
    expect(chain.reads).toHaveLength(MAX_MERGE_HOPS + 1);
  });
});
