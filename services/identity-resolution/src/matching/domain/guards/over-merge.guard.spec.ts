import { checkBridge, checkClusterSize, defaultOverMergeGuardConfig, findWeakBridges, guardLink } from './over-merge.guard';

const config = { maxClusterSize: 10, bridgeClusterSize: 3, strongLinkWeight: 20, minLinksBetweenLargeClusters: 2, householdLinkMargin: 2 };
const cluster = (clusterId: string, size: number) => ({ clusterId, size });

describe('checkClusterSize', () => {
  it('allows a merge within the cap and sends a larger one to review', () => {
    expect(checkClusterSize(cluster('a', 4), cluster('b', 6), config)).toMatchObject({ verdict: 'allow' });
    const verdict = checkClusterSize(cluster('a', 5), cluster('b', 6), config);
    expect(verdict).toEqual({ verdict: 'review', reason: 'size cap: joining a (5) and b (6) gives 11 > 10' });
  });

  it('allows links inside one cluster', () => {
    expect(checkClusterSize(cluster('a', 50), cluster('a', 50), config).verdict).toBe('allow');
  });
});

describe('checkBridge', () => {
  it('sends two large clusters held by one weak link to review', () => {
    const verdict = checkBridge(cluster('a', 4), cluster('b', 3), [{ kind: 'probabilistic', weight: 8 }], config);
    expect(verdict.verdict).toBe('review');
    expect(verdict.reason).toMatch(/^bridge: a \(4\) and b \(3\)/);
  });

  it('allows the join when one link is strong, deterministic, or enough links agree', () => {
    expect(checkBridge(cluster('a', 4), cluster('b', 3), [{ kind: 'probabilistic', weight: 25 }], config).verdict).toBe('allow');
    expect(checkBridge(cluster('a', 4), cluster('b', 3), [{ kind: 'deterministic' }], config).verdict).toBe('allow');
    const two = [
      { kind: 'probabilistic' as const, weight: 5 },
      { kind: 'probabilistic' as const, weight: 6 },
    ];
    expect(checkBridge(cluster('a', 4), cluster('b', 3), two, config).verdict).toBe('allow');
  });

  it('does not treat a link to a small cluster as a bridge', () => {
    expect(checkBridge(cluster('a', 40), cluster('b', 1), [{ kind: 'probabilistic', weight: 1 }], config).verdict).toBe('allow');
  });

  it('combines both guards, size first', () => {
    expect(guardLink(cluster('a', 9), cluster('b', 9), [{ kind: 'deterministic' }], config).reason).toMatch(/^size cap/);
    expect(guardLink(cluster('a', 2), cluster('b', 2), [{ kind: 'probabilistic', weight: 1 }], defaultOverMergeGuardConfig).verdict).toBe(
      'allow',
    );
  });
});

describe('findWeakBridges', () => {
  it('finds the weak edge that alone holds two groups together', () => {
    const edges = [
      { from: 'a1', to: 'a2', weight: 30 },
      { from: 'a2', to: 'a3', weight: 30 },
      { from: 'a3', to: 'a1', weight: 30 },
      { from: 'b1', to: 'b2', weight: 30 },
      { from: 'b2', to: 'b3', weight: 30 },
      { from: 'b3', to: 'b1', weight: 30 },
      { from: 'a1', to: 'b1', weight: 4 },
    ];
    expect(findWeakBridges(edges, 20)).toEqual([{ from: 'a1', to: 'b1', weight: 4 }]);
    // A second link between the groups means no single edge separates them.
    expect(findWeakBridges([...edges, { from: 'a2', to: 'b2', weight: 4 }], 20)).toEqual([]);
  });

  it('ignores strong bridges and copes with long chains', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}`, weight: i === 7 ? 1 : 50 }));
    expect(findWeakBridges(chain, 20)).toEqual([{ from: 'n7', to: 'n8', weight: 1 }]);
  });
});
