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
