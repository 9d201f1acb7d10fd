import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { InMemoryBlockingIndex } from './blocking-keys';
import { comparisonVector, countVectors, defaultEmOptions, estimateParametersEm, withUFromRandomPairs } from './em.estimator';
import { initialMatchParameters, MatchParameters } from './match-parameters.schema';
import { PreparedRecord } from './person-record.model';

export interface TrainingOptions {
  /** Version stamped on the result; the service derives it from time and data. */
  readonly version: string;
  /** Seed of the random-pair sample used for u; fixed so that re-estimation is reproducible. */
  readonly seed: number;
  readonly randomPairs: number;
  readonly maxBlockSize: number;
  readonly thresholds?: MatchParameters['thresholds'];
  readonly start?: MatchParameters;
}

export const defaultTrainingOptions: Omit<TrainingOptions, 'version'> = { seed: 20240601, randomPairs: 50_000, maxBlockSize: 200 };

/** Uniformly drawn distinct-record pairs, reproducible from the seed. */
export function sampleRandomPairs<T>(items: readonly T[], count: number, seed: number): Array<readonly [T, T]> {
  if (items.length < 2) return [];
  const rng = xoroshiro128plus(seed);
  const pairs: Array<readonly [T, T]> = [];
  for (let k = 0; k < count; k += 1) {
    const i = uniformInt(rng, 0, items.length - 1);
    let j = uniformInt(rng, 0, items.length - 2);
    if (j >= i) j += 1;
    const x = items[i];
    const y = items[j];
    if (x !== undefined && y !== undefined) pairs.push([x, y]);
  }
  return pairs;
}

/**
 * The re-estimation command's core: u from random pairs, then m and lambda by EM over the
 * candidate pairs that blocking produces. Pure given its inputs.
 */
export function trainMatchParameters(records: readonly PreparedRecord[], options: TrainingOptions): MatchParameters {
  const start = options.start ?? initialMatchParameters(options.version);
  const byId = new Map(records.map((record) => [record.recordId, record] as const));

  const random = countVectors(sampleRandomPairs(records, options.randomPairs, options.seed).map(([a, b]) => comparisonVector(a, b)));
  const withU: MatchParameters = {
    ...withUFromRandomPairs(start, random),
    ...(options.thresholds !== undefined ? { thresholds: options.thresholds } : {}),
    training: { candidatePairs: 0, iterations: 0, converged: false, uSource: 'random-pairs' },
  };

  const index = new InMemoryBlockingIndex(options.maxBlockSize);
  for (const record of records) index.add(record);
  const candidates = countVectors(
    index.pairs().flatMap(([x, y]) => {
      const a = byId.get(x);
      const b = byId.get(y);
      return a !== undefined && b !== undefined ? [comparisonVector(a, b)] : [];
    }),
  );
  return estimateParametersEm(candidates, withU, { ...defaultEmOptions, version: options.version });
}
