export type GuardVerdict = { readonly verdict: 'allow'; readonly reason: string } | { readonly verdict: 'review'; readonly reason: string };

export interface ClusterSummary {
  readonly clusterId: string;
  /** Records (or customers, for the identity graph) already in the cluster. */
  readonly size: number;
}

export interface LinkStrength {
  /** Deterministic links (shared unique identifier) count as strong whatever their weight. */
  readonly kind: 'deterministic' | 'probabilistic';
  /** Fellegi-Sunter total weight for probabilistic links. */
  readonly weight?: number;
}

export interface OverMergeGuardConfig {
  /** No cluster grows beyond this many members without a person looking at it. */
  readonly maxClusterSize: number;
  /** A cluster this large or larger counts as "large" for bridge detection. */
  readonly bridgeClusterSize: number;
  /** Links at or above this weight are strong enough to join two large clusters on their own. */
  readonly strongLinkWeight: number;
  /** Two large clusters need at least this many links between them unless one link is strong. */
  readonly minLinksBetweenLargeClusters: number;
  /**
   * How far above the auto-merge threshold a link must score when it rests on household traits
   * only (surname, address, landline) with no first name or birth date agreeing, and no first
   * name disagreeing. Trained parameters price how common households are in the data; the margin
   * keeps such links for pairs the model is sure of.
   */
  readonly householdLinkMargin: number;
}

export const defaultOverMergeGuardConfig: OverMergeGuardConfig = {
  maxClusterSize: 20,
  bridgeClusterSize: 3,
  strongLinkWeight: 25,
  minLinksBetweenLargeClusters: 2,
  householdLinkMargin: 2,
};

const allow = (reason: string): GuardVerdict => ({ verdict: 'allow', reason });
const review = (reason: string): GuardVerdict => ({ verdict: 'review', reason });

/** Would joining the two clusters exceed the size cap? */
export function checkClusterSize(
  a: ClusterSummary,
  b: ClusterSummary,
  config: OverMergeGuardConfig = defaultOverMergeGuardConfig,
): GuardVerdict {
  if (a.clusterId === b.clusterId) return allow('already one cluster');
  const joined = a.size + b.size;
  if (joined > config.maxClusterSize) {
    return review(`size cap: joining ${a.clusterId} (${a.size}) and ${b.clusterId} (${b.size}) gives ${joined} > ${config.maxClusterSize}`);
  }
  return allow(`joined size ${joined} within cap ${config.maxClusterSize}`);
}

function isStrong(link: LinkStrength, config: OverMergeGuardConfig): boolean {
  return link.kind === 'deterministic' || (link.weight ?? Number.NEGATIVE_INFINITY) >= config.strongLinkWeight;
}

/**
 * Bridge detection: two clusters that are each large, held together only by a thin thread of
 * weak links, are the signature of chaining (A~B, B~C, ... joins unrelated people through one
 * shared phone or one lookalike). `links` are all links between the two clusters, including the
 * new one.
 */
export function checkBridge(
  a: ClusterSummary,
  b: ClusterSummary,
  links: readonly LinkStrength[],
  config: OverMergeGuardConfig = defaultOverMergeGuardConfig,
): GuardVerdict {
  if (a.clusterId === b.clusterId) return allow('already one cluster');
  const bothLarge = a.size >= config.bridgeClusterSize && b.size >= config.bridgeClusterSize;
  if (!bothLarge) return allow(`not a bridge: a cluster is smaller than ${config.bridgeClusterSize}`);
  if (links.some((link) => isStrong(link, config))) return allow('a strong link joins the clusters');
  if (links.length >= config.minLinksBetweenLargeClusters) {
    return allow(`${links.length} independent links join the clusters`);
  }
  return review(`bridge: ${a.clusterId} (${a.size}) and ${b.clusterId} (${b.size}) would be joined by ${links.length} weak link(s) only`);
}

/** Both guards; the first that asks for review wins. */
export function guardLink(
  a: ClusterSummary,
  b: ClusterSummary,
  links: readonly LinkStrength[],
  config: OverMergeGuardConfig = defaultOverMergeGuardConfig,
): GuardVerdict {
  const size = checkClusterSize(a, b, config);
  if (size.verdict === 'review') return size;
  const bridge = checkBridge(a, b, links, config);
  if (bridge.verdict === 'review') return bridge;
  return allow(`${size.reason}; ${bridge.reason}`);
}

export interface WeightedEdge {
  readonly from: string;
  readonly to: string;
  readonly weight: number;
}

/**
 * Edges whose removal would split a cluster (graph bridges, Tarjan's algorithm) and whose weight
 * is below `strongLinkWeight`: the first candidates to cut when a merged customer is reviewed.
 */
export function findWeakBridges(edges: readonly WeightedEdge[], strongLinkWeight: number): WeightedEdge[] {
  const adjacency = new Map<string, Array<{ to: string; edge: number }>>();
  edges.forEach((edge, index) => {
    if (edge.from === edge.to) return;
    for (const [node, other] of [
      [edge.from, edge.to],
      [edge.to, edge.from],
    ] as const) {
      const list = adjacency.get(node) ?? [];
      list.push({ to: other, edge: index });
      adjacency.set(node, list);
    }
  });
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const bridges: WeightedEdge[] = [];
  let counter = 0;

  // Iterative depth-first search: clusters can be long chains, and recursion would overflow.
  for (const root of [...adjacency.keys()].sort()) {
    if (order.has(root)) continue;
    const stack: Array<{ node: string; parentEdge: number; next: number }> = [{ node: root, parentEdge: -1, next: 0 }];
    order.set(root, counter);
    low.set(root, counter);
    counter += 1;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) break;
      const neighbours = adjacency.get(frame.node) ?? [];
      const step = neighbours[frame.next];
      if (step !== undefined) {
        frame.next += 1;
        if (step.edge === frame.parentEdge) continue;
        const seen = order.get(step.to);
        if (seen === undefined) {
          order.set(step.to, counter);
          low.set(step.to, counter);
          counter += 1;
          stack.push({ node: step.to, parentEdge: step.edge, next: 0 });
        } else {
          low.set(frame.node, Math.min(low.get(frame.node) ?? seen, seen));
        }
        continue;
      }
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent === undefined) continue;
      const childLow = low.get(frame.node) ?? 0;
      low.set(parent.node, Math.min(low.get(parent.node) ?? childLow, childLow));
      if (childLow > (order.get(parent.node) ?? 0)) {
        const edge = edges[frame.parentEdge];
        if (edge !== undefined && edge.weight < strongLinkWeight) bridges.push(edge);
      }
    }
  }
  return bridges;
}
