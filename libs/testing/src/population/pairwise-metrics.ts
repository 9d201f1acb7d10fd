export interface PairwiseMetrics {
  /** Pairs put together that truly belong together / all pairs put together. */
  readonly precision: number;
  /** Pairs put together that truly belong together / all pairs that truly belong together. */
  readonly recall: number;
  readonly f1: number;
  readonly truePositivePairs: number;
  readonly predictedPairs: number;
  readonly truePairs: number;
}

function pairsWithin(groups: Iterable<number>): number {
  let total = 0;
  for (const size of groups) total += (size * (size - 1)) / 2;
  return total;
}

function groupSizes(assignment: Iterable<string>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const group of assignment) sizes.set(group, (sizes.get(group) ?? 0) + 1);
  return sizes;
}

/**
 * Pairwise precision, recall and F1 of a clustering against the ground truth, counted through
 * cluster sizes rather than by listing pairs, so it stays cheap for large populations. Items
 * missing from `predicted` count as singletons.
 */
export function pairwiseMetrics(predicted: ReadonlyMap<string, string>, truth: ReadonlyMap<string, string>): PairwiseMetrics {
  const predictedOf = (id: string): string => predicted.get(id) ?? `singleton:${id}`;
  const ids = [...truth.keys()];
  const predictedPairs = pairsWithin(groupSizes(ids.map(predictedOf)).values());
  const truePairs = pairsWithin(groupSizes(ids.map((id) => truth.get(id) ?? id)).values());
  const truePositivePairs = pairsWithin(groupSizes(ids.map((id) => `${predictedOf(id)}\u0000${truth.get(id) ?? id}`)).values());
  const precision = predictedPairs === 0 ? 1 : truePositivePairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : truePositivePairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositivePairs, predictedPairs, truePairs };
}
