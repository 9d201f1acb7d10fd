import { ClusterSummary, guardLink, GuardVerdict, OverMergeGuardConfig, defaultOverMergeGuardConfig } from './over-merge.guard';

export interface ScoredLink {
  readonly a: string;
  readonly b: string;
  readonly weight: number;
}

export interface ReviewedLink extends ScoredLink {
  readonly reason: string;
}

export interface Clustering {
  /** Record id -> cluster id (the smallest record id of the cluster, for determinism). */
  readonly clusterOf: ReadonlyMap<string, string>;
  /** Links above the threshold that the guards held back. */
  readonly heldForReview: readonly ReviewedLink[];
}

class DisjointSets {
  private readonly parent = new Map<string, string>();
  private readonly sizes = new Map<string, number>();

  find(id: string): string {
    let root = id;
    for (let next = this.parent.get(root); next !== undefined && next !== root; next = this.parent.get(root)) root = next;
    // Path compression keeps later finds near-constant.
    let current = id;
    while (current !== root) {
      const next = this.parent.get(current) ?? root;
      this.parent.set(current, root);
      current = next;
    }
    if (!this.parent.has(root)) {
      this.parent.set(root, root);
      this.sizes.set(root, 1);
    }
    return root;
  }

  size(root: string): number {
    return this.sizes.get(root) ?? 1;
  }

  union(x: string, y: string): void {
    const rootX = this.find(x);
    const rootY = this.find(y);
    if (rootX === rootY) return;
    const [big, small] = this.size(rootX) >= this.size(rootY) ? [rootX, rootY] : [rootY, rootX];
    this.parent.set(small, big);
    this.sizes.set(big, this.size(big) + this.size(small));
  }
}

/**
 * Clusters records from links at or above the auto-merge threshold, strongest first, with the
 * over-merge guards consulted before each union. Links between the same two clusters are
 * counted as support, so that two large clusters joined by many links are allowed while one
 * joined by a single weak link is held for review.
 */
export function clusterRecords(
  recordIds: readonly string[],
  links: readonly ScoredLink[],
  autoMergeThreshold: number,
  config: OverMergeGuardConfig = defaultOverMergeGuardConfig,
): Clustering {
  const sets = new DisjointSets();
  for (const id of recordIds) sets.find(id);
  const accepted = [...links]
    .filter((link) => link.weight >= autoMergeThreshold)
    .sort((x, y) => y.weight - x.weight || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  const adjacency = new Map<string, ScoredLink[]>();
  for (const link of accepted) {
    for (const id of [link.a, link.b]) {
      const list = adjacency.get(id) ?? [];
      list.push(link);
      adjacency.set(id, list);
    }
  }
  const members = new Map<string, string[]>();
  const membersOf = (root: string): string[] => members.get(root) ?? [root];

  const heldForReview: ReviewedLink[] = [];
  for (const link of accepted) {
    const rootA = sets.find(link.a);
    const rootB = sets.find(link.b);
    if (rootA === rootB) continue;
    const inB = new Set(membersOf(rootB));
    // Every accepted link from a member of A to a member of B, each counted once.
    const between = membersOf(rootA).flatMap((id) =>
      (adjacency.get(id) ?? []).filter((candidate) => inB.has(candidate.a === id ? candidate.b : candidate.a)),
    );
    const summaryA: ClusterSummary = { clusterId: rootA, size: sets.size(rootA) };
    const summaryB: ClusterSummary = { clusterId: rootB, size: sets.size(rootB) };
    const verdict: GuardVerdict = guardLink(
      summaryA,
      summaryB,
      between.map((candidate) => ({ kind: 'probabilistic' as const, weight: candidate.weight })),
      config,
    );
    if (verdict.verdict === 'review') {
      heldForReview.push({ ...link, reason: verdict.reason });
      continue;
    }
    const joined = [...membersOf(rootA), ...membersOf(rootB)];
    sets.union(rootA, rootB);
    const root = sets.find(rootA);
    members.delete(rootA);
    members.delete(rootB);
    members.set(root, joined);
  }

  const smallest = new Map<string, string>();
  for (const id of recordIds) {
    const root = sets.find(id);
    const current = smallest.get(root);
    if (current === undefined || id < current) smallest.set(root, id);
  }
  const clusterOf = new Map<string, string>();
  for (const id of recordIds) clusterOf.set(id, smallest.get(sets.find(id)) ?? id);
  return { clusterOf, heldForReview };
}
