import { clusterRecords } from './record-clustering';

const config = { maxClusterSize: 5, bridgeClusterSize: 3, strongLinkWeight: 20, minLinksBetweenLargeClusters: 2, householdLinkMargin: 2 };

describe('clusterRecords', () => {
  it('joins records linked above the threshold, transitively, and names clusters by their smallest id', () => {
    const clustering = clusterRecords(
      ['r3', 'r1', 'r2', 'r4'],
      [
        { a: 'r1', b: 'r2', weight: 12 },
        { a: 'r2', b: 'r3', weight: 9 },
        { a: 'r3', b: 'r4', weight: 1 },
      ],
      5,
      config,
    );
    expect(Object.fromEntries(clustering.clusterOf)).toEqual({ r1: 'r1', r2: 'r1', r3: 'r1', r4: 'r4' });
    expect(clustering.heldForReview).toEqual([]);
  });

  it('holds a weak bridge between two large clusters for review', () => {
    const triangle = (p: string) => [
      { a: `${p}1`, b: `${p}2`, weight: 30 },
      { a: `${p}2`, b: `${p}3`, weight: 30 },
      { a: `${p}1`, b: `${p}3`, weight: 30 },
    ];
    const ids = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'];
    const clustering = clusterRecords(ids, [...triangle('a'), ...triangle('b'), { a: 'a1', b: 'b1', weight: 8 }], 5, {
      ...config,
      maxClusterSize: 10,
    });
    expect(new Set(clustering.clusterOf.values())).toEqual(new Set(['a1', 'b1']));
    expect(clustering.heldForReview).toEqual([expect.objectContaining({ a: 'a1', b: 'b1', reason: expect.stringMatching(/^bridge/) })]);
  });

  it('enforces the size cap', () => {
    const ids = ['1', '2', '3', '4', '5', '6'];
    const links = ids.slice(1).map((id, index) => ({ a: ids[index] ?? '', b: id, weight: 50 - index }));
    const clustering = clusterRecords(ids, links, 5, config);
    expect(new Set(clustering.clusterOf.values()).size).toBe(2);
    expect(clustering.heldForReview[0]?.reason).toMatch(/^size cap/);
  });

  it('gives the same clusters whatever the order of links', () => {
    const links = [
      { a: 'x', b: 'y', weight: 7 },
      { a: 'y', b: 'z', weight: 7 },
      { a: 'p', b: 'q', weight: 9 },
    ];
    const ids = ['x', 'y', 'z', 'p', 'q'];
    expect(clusterRecords(ids, links, 5, config).clusterOf).toEqual(clusterRecords(ids, [...links].reverse(), 5, config).clusterOf);
  });
});
