// A benchmark, not service code: scores against the truth with libs/testing's metrics.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { pairwiseMetrics } from '@o2o/testing';

export interface ClusterMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** B-cubed precision, recall and F1 (per record, averaged), less dominated by large clusters. */
  readonly bcubedPrecision: number;
  readonly bcubedRecall: number;
  readonly bcubedF1: number;
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly falsePairs: number;
  readonly missedPairs: number;
  readonly predictedClusters: number;
  readonly trueClusters: number;
}

function harmonic(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

/** Pairwise and B-cubed figures of a clustering (recordId -> cluster) against the truth. */
export function clusterMetrics(predicted: ReadonlyMap<string, string>, truth: ReadonlyMap<string, string>): ClusterMetrics {
  const pairwise = pairwiseMetrics(predicted, truth);
  const clusterOf = (id: string): string => predicted.get(id) ?? `singleton:${id}`;
  const byCluster = new Map<string, string[]>();
  const byEntity = new Map<string, string[]>();
  for (const id of truth.keys()) {
    byCluster.set(clusterOf(id), [...(byCluster.get(clusterOf(id)) ?? []), id]);
    const entity = truth.get(id) ?? id;
    byEntity.set(entity, [...(byEntity.get(entity) ?? []), id]);
  }
  let precisionSum = 0;
  let recallSum = 0;
  for (const id of truth.keys()) {
    const cluster = byCluster.get(clusterOf(id)) ?? [id];
    const entity = truth.get(id) ?? id;
    const correct = cluster.filter((other) => (truth.get(other) ?? other) === entity).length;
    precisionSum += correct / cluster.length;
    recallSum += correct / (byEntity.get(entity)?.length ?? 1);
  }
  const n = Math.max(1, truth.size);
  return {
    precision: pairwise.precision,
    recall: pairwise.recall,
    f1: pairwise.f1,
    bcubedPrecision: precisionSum / n,
    bcubedRecall: recallSum / n,
    bcubedF1: harmonic(precisionSum / n, recallSum / n),
    truePairs: pairwise.truePairs,
    predictedPairs: pairwise.predictedPairs,
    falsePairs: pairwise.predictedPairs - pairwise.truePositivePairs,
    missedPairs: pairwise.truePairs - pairwise.truePositivePairs,
    predictedClusters: byCluster.size,
    trueClusters: byEntity.size,
  };
}

/** The pairs a clustering got wrong, by record id: linked though different people, and split though one person. */
export interface PairErrors {
  readonly falsePairs: ReadonlyArray<readonly [string, string]>;
  readonly missedPairs: ReadonlyArray<readonly [string, string]>;
}

/** Lists the false and missed pairs (at most `limit` of each) so that a run's errors can be traced record by record. */
export function pairErrors(predicted: ReadonlyMap<string, string>, truth: ReadonlyMap<string, string>, limit = 500): PairErrors {
  const group = (key: (id: string) => string): string[][] => {
    const groups = new Map<string, string[]>();
    for (const id of [...truth.keys()].sort()) groups.set(key(id), [...(groups.get(key(id)) ?? []), id]);
    return [...groups.values()].filter((ids) => ids.length > 1);
  };
  const clusterOf = (id: string): string => predicted.get(id) ?? `singleton:${id}`;
  const entityOf = (id: string): string => truth.get(id) ?? id;
  const pairsWithin = (groups: string[][], wrong: (a: string, b: string) => boolean): Array<readonly [string, string]> => {
    const found: Array<readonly [string, string]> = [];
    for (const ids of groups)
      for (let i = 0; i < ids.length; i += 1)
        for (let j = i + 1; j < ids.length; j += 1) {
          const a = ids[i] ?? '';
          const b = ids[j] ?? '';
          if (wrong(a, b) && found.length < limit) found.push([a, b]);
        }
    return found;
  };
  return {
    falsePairs: pairsWithin(group(clusterOf), (a, b) => entityOf(a) !== entityOf(b)),
    missedPairs: pairsWithin(group(entityOf), (a, b) => clusterOf(a) !== clusterOf(b)),
  };
}
