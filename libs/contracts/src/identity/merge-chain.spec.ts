import fc from 'fast-check';
import { followMerges, MAX_MERGE_HOPS, walkMerges } from './merge-chain';

const lookup = (links: Record<string, string>) => (id: string) => links[id];

describe('followMerges', () => {
  it('follows a chain to its survivor', () => {
    expect(followMerges('c', lookup({ c: 'b', b: 'a' }))).toBe('a');
    expect(followMerges('a', lookup({ c: 'b', b: 'a' }))).toBe('a');
  });

  it('stops a cycle at the last id before it comes back', () => {
    expect(followMerges('a', lookup({ a: 'b', b: 'c', c: 'a' }))).toBe('c');
  });

  it('ends on a member of the chain within the bound, for any links', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.constantFrom('a', 'b', 'c', 'd', 'e')),
        fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        (links, start) => {
          const reached = new Set<string>([start]);
          let cursor: string = start;
          for (let hop = 0; hop < MAX_MERGE_HOPS && links[cursor] !== undefined; hop++) reached.add((cursor = links[cursor] ?? cursor));
          expect(reached.has(followMerges(start, lookup(links)))).toBe(true);
        },
      ),
    );
  });

  it('gives up on a chain longer than the bound where it got to', () => {
    const links = Object.fromEntries(Array.from({ length: MAX_MERGE_HOPS + 5 }, (_, i) => [`c${i}`, `c${i + 1}`]));
    expect(followMerges('c0', lookup(links))).toBe(`c${MAX_MERGE_HOPS}`);
  });
});

describe('walkMerges', () => {
  const read = (docs: Record<string, { id: string; mergedInto?: string }>) => (id: string) => Promise.resolve(docs[id]);

  it('reads every link from the customer to its survivor', async () => {
    const docs = { c: { id: 'c', mergedInto: 'b' }, b: { id: 'b', mergedInto: 'a' }, a: { id: 'a' } };
    expect((await walkMerges('c', read(docs), (d) => d.mergedInto))?.map((d) => d.id)).toEqual(['c', 'b', 'a']);
  });

  it('answers undefined for a missing link or a cycle', async () => {
    expect(await walkMerges('c', read({ c: { id: 'c', mergedInto: 'gone' } }), (d) => d.mergedInto)).toBeUndefined();
    expect(
      await walkMerges('a', read({ a: { id: 'a', mergedInto: 'b' }, b: { id: 'b', mergedInto: 'a' } }), (d) => d.mergedInto),
    ).toBeUndefined();
  });
});
