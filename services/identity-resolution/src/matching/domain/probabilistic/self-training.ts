import { priorWeight, scorePair } from './fellegi-sunter.scorer';
import { MatchParameters } from './match-parameters.schema';
import { PreparedRecord } from './person-record.model';

export interface SelfTrainingPolicy {
  /** No estimate from fewer stored records than this: EM would have too few pairs. */
  readonly minRecords: number;
  /** A new estimate once the store has grown by this factor since the last one (1.5: half again). */
  readonly growth: number;
}

export const defaultSelfTrainingPolicy: SelfTrainingPolicy = { minRecords: 100, growth: 1.5 };

/**
 * Whether the store has grown enough since the last estimate to estimate again. Growth by a
 * factor, not by a count, keeps the number of estimates logarithmic in the size of the store
 * while the early ones, which matter most for a young store, come quickly.
 */
export function trainingDue(
  storedRecords: number,
  trainedOnRecords: number,
  policy: SelfTrainingPolicy = defaultSelfTrainingPolicy,
): boolean {
  return storedRecords >= policy.minRecords && storedRecords >= trainedOnRecords * policy.growth;
}

/** A person's review decision with the records of the two customers it was about. */
export interface DecidedPair {
  readonly accepted: boolean;
  readonly left: readonly PreparedRecord[];
  readonly right: readonly PreparedRecord[];
}

export interface DecisionFit {
  /** Decisions the parameters would have taken the same way: accepted scored at or above auto-merge, rejected below. */
  readonly agreeing: number;
  readonly decided: number;
}

/** How well parameters reproduce what people decided: the best cross pair of each decision against auto-merge. */
export function decisionFit(parameters: MatchParameters, decisions: readonly DecidedPair[]): DecisionFit {
  let agreeing = 0;
  let decided = 0;
  for (const decision of decisions) {
    let best = Number.NEGATIVE_INFINITY;
    for (const a of decision.left) for (const b of decision.right) best = Math.max(best, scorePair(a, b, parameters).totalWeight);
    if (best === Number.NEGATIVE_INFINITY) continue;
    decided += 1;
    if (best >= parameters.thresholds.autoMerge === decision.accepted) agreeing += 1;
  }
  return { agreeing, decided };
}

/**
 * Whether a new estimate may replace the current parameters: it must reproduce people's review
 * decisions at least as well. Without decisions there is nothing to be worse at.
 */
export function acceptEstimate(
  current: MatchParameters,
  candidate: MatchParameters,
  decisions: readonly DecidedPair[],
): { accepted: boolean; current: DecisionFit; candidate: DecisionFit } {
  const before = decisionFit(current, decisions);
  const after = decisionFit(candidate, decisions);
  return { accepted: after.agreeing >= before.agreeing, current: before, candidate: after };
}

/**
 * How far new parameters move any score: the largest change, in bits, of a level's weight
 * log2(m/u) or of the prior. Below a fraction of a bit no stored record would be judged
 * differently enough to be worth matching every record again. A changed finding on households
 * changes which links the guard allows, so it counts as an unbounded change.
 */
export function largestWeightChange(before: MatchParameters, after: MatchParameters): number {
  if ((before.households?.present ?? true) !== (after.households?.present ?? true)) return Number.POSITIVE_INFINITY;
  let largest = Math.abs(priorWeight(after) - priorWeight(before));
  for (const [name, comparison] of Object.entries(after.comparisons)) {
    for (const [level, { m, u }] of Object.entries(comparison.levels)) {
      const old = before.comparisons[name]?.levels[level];
      if (old === undefined) return Number.POSITIVE_INFINITY;
      largest = Math.max(largest, Math.abs(Math.log2(m / u) - Math.log2(old.m / old.u)));
    }
  }
  return largest;
}

/** Below this change (bits) a new estimate is made current without matching every stored record again. */
export const REMATCH_MIN_CHANGE_BITS = 0.5;
