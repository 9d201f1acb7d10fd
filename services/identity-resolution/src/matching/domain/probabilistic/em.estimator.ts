import { MatchParameters } from './match-parameters.schema';
import { COMPARISON_NAMES, COMPARISONS, ComparisonName, compareRecords, levelGroup } from './record-comparison';
import { PreparedRecord } from './person-record.model';

/** Level index per comparison (in COMPARISON_NAMES order), null where data is missing. */
export type ComparisonVector = readonly (number | null)[];

/** Distinct comparison vectors with how many pairs produced each: EM works on these. */
export interface VectorCounts {
  readonly vectors: readonly ComparisonVector[];
  readonly counts: readonly number[];
}

export function comparisonVector(a: PreparedRecord, b: PreparedRecord): ComparisonVector {
  const outcomes = compareRecords(a, b).outcomes;
  return COMPARISON_NAMES.map((name) => outcomes.find((outcome) => outcome.comparison === name)?.levelIndex ?? null);
}

/**
 * comparisonVector of record pairs, each distinct (ordered) pair compared once. A training run
 * draws hundreds of thousands of sampled pairs with replacement (random pairs, pairs within one
 * surname or postcode) and compares the candidate pairs of every blocking recipe: in a store of a
 * few hundred records, or within one surname, the same pairs come up again and again, and one
 * comparison is microseconds of string similarity. The vectors are the same as comparing again
 * (comparisonVector is a pure function of the two records), so the estimate is unchanged.
 */
export class PairVectors {
  private readonly byLeft = new Map<PreparedRecord, Map<PreparedRecord, ComparisonVector>>();
  private distinct = 0;

  of(a: PreparedRecord, b: PreparedRecord): ComparisonVector {
    let row = this.byLeft.get(a);
    if (row === undefined) {
      row = new Map();
      this.byLeft.set(a, row);
    }
    const known = row.get(b);
    if (known !== undefined) return known;
    const vector = comparisonVector(a, b);
    row.set(b, vector);
    this.distinct += 1;
    return vector;
  }

  /** How many distinct pairs were compared. */
  get compared(): number {
    return this.distinct;
  }
}

export function countVectors(vectors: Iterable<ComparisonVector>): VectorCounts {
  const byKey = new Map<string, { vector: ComparisonVector; count: number }>();
  // The same vector object comes again where pairs are compared once (PairVectors): its key is built once.
  const byObject = new Map<ComparisonVector, { vector: ComparisonVector; count: number }>();
  for (const vector of vectors) {
    const seen = byObject.get(vector);
    if (seen !== undefined) {
      seen.count += 1;
      continue;
    }
    const key = vector.map((level) => (level === null ? '-' : String(level))).join(',');
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { vector, count: 1 };
      byKey.set(key, entry);
    } else entry.count += 1;
    byObject.set(vector, entry);
  }
  const entries = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  return { vectors: entries.map((entry) => entry.vector), counts: entries.map((entry) => entry.count) };
}

export interface EmOptions {
  readonly version: string;
  readonly maxIterations: number;
  /** Stop when no probability moves by more than this between iterations. */
  readonly tolerance: number;
  /**
   * Keep u as given (estimated from random pairs, which are almost all non-matches) and fit only
   * m and lambda. Candidate pairs over-represent agreement, which biases an EM estimate of u.
   */
  readonly fixU: boolean;
  /** Pseudo-count per level, so that a level never seen among matches keeps a finite weight. */
  readonly pseudoCount: number;
  /**
   * Comparisons left out of this run: those the candidate pairs were blocked on. Blocking makes
   * every pair agree on them, so they carry no information about match status here; their
   * parameters are returned unchanged.
   */
  readonly excluded?: readonly ComparisonName[];
}

export const defaultEmOptions: Omit<EmOptions, 'version'> = { maxIterations: 200, tolerance: 1e-6, fixU: true, pseudoCount: 0.5 };

const PROBABILITY_FLOOR = 1e-6;

function clampProbability(value: number): number {
  return Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, value));
}

// The prior of a random pair scales as 1 / population, so it needs a far lower floor; so does u
// of a level measured inside a narrower population (withNestedU).
function clampPrior(value: number): number {
  return Math.min(1 - 1e-12, Math.max(1e-12, value));
}

type LevelTable = number[][];

function tableFrom(parameters: MatchParameters, key: 'm' | 'u'): LevelTable {
  return COMPARISON_NAMES.map((name) =>
    COMPARISONS[name].map((level) => parameters.comparisons[name]?.levels[level]?.[key] ?? 1 / COMPARISONS[name].length),
  );
}

const GROUPS: readonly (readonly string[])[] = COMPARISON_NAMES.map((name) => COMPARISONS[name].map((level) => levelGroup(level)));

/** Smoothed relative frequencies, normalised within each level group of comparison c. */
function normalise(counts: readonly number[], pseudoCount: number, c: number): number[] {
  const groups = GROUPS[c] ?? [];
  const totals = new Map<string, number>();
  counts.forEach((count, l) => {
    const group = groups[l] ?? '';
    totals.set(group, (totals.get(group) ?? 0) + count + pseudoCount);
  });
  return counts.map((count, l) => clampProbability((count + pseudoCount) / (totals.get(groups[l] ?? '') ?? 1)));
}

/** Log likelihood ratio log(P(vector | match) / P(vector | non-match)) under the parameters. */
function logLikelihoodRatio(vector: ComparisonVector, m: LevelTable, u: LevelTable): number {
  return vector.reduce<number>(
    (sum, level, c) =>
      level === null ? sum : sum + Math.log(m[c]?.[level] ?? PROBABILITY_FLOOR) - Math.log(u[c]?.[level] ?? PROBABILITY_FLOOR),
    0,
  );
}

/**
 * The same vectors with each count scaled by the posterior probability of a non-match. Random
 * pairs are almost all non-matches, but conditioning on agreement (same surname, say) enriches
 * matches enough to bias u; weighting them out removes that bias.
 */
export function weightByNonMatch(data: VectorCounts, parameters: MatchParameters): VectorCounts {
  const m = tableFrom(parameters, 'm');
  const u = tableFrom(parameters, 'u');
  const priorLogOdds = Math.log(parameters.lambda / (1 - parameters.lambda));
  return {
    vectors: data.vectors,
    counts: data.vectors.map(
      (vector, index) => (data.counts[index] ?? 0) * (1 - 1 / (1 + Math.exp(-(priorLogOdds + logLikelihoodRatio(vector, m, u))))),
    ),
  };
}

/**
 * u per level as observed over (mostly non-matching) random pairs, smoothed. Replaces the u of
 * `start`, keeping everything else.
 */
export function withUFromRandomPairs(start: MatchParameters, randomPairs: VectorCounts, pseudoCount = 0.5): MatchParameters {
  const comparisons = { ...start.comparisons };
  COMPARISON_NAMES.forEach((name, c) => {
    const levels = COMPARISONS[name];
    const counts: number[] = levels.map(() => 0);
    randomPairs.vectors.forEach((vector, index) => {
      const level = vector[c];
      if (level !== null && level !== undefined) counts[level] = (counts[level] ?? 0) + (randomPairs.counts[index] ?? 0);
    });
    const u = normalise(counts, pseudoCount, c);
    const current = start.comparisons[name];
    const entries: Record<string, { m: number; u: number }> = {};
    levels.forEach((level, l) => {
      entries[level] = { m: current?.levels[level]?.m ?? 1 / levels.length, u: u[l] ?? PROBABILITY_FLOOR };
    });
    comparisons[name] = { levels: entries, termFrequencyWeight: current?.termFrequencyWeight ?? 0 };
  });
  return { ...start, comparisons };
}

/**
 * u of the levels of one condition group ("same-surname" of contact) from pairs drawn among
 * those that meet the condition. Uniform random pairs rarely share a surname, so they leave u of
 * "same surname and same address" to the smoothing alone; pairs drawn within surname groups
 * measure it. Levels outside the group keep their u.
 */
export function withConditionalU(
  start: MatchParameters,
  comparison: ComparisonName,
  group: string,
  conditionalPairs: VectorCounts,
  pseudoCount = 0.5,
): MatchParameters {
  const c = COMPARISON_NAMES.indexOf(comparison);
  const levels = COMPARISONS[comparison];
  const counts: number[] = levels.map(() => 0);
  conditionalPairs.vectors.forEach((vector, index) => {
    const level = vector[c];
    if (level !== null && level !== undefined && levelGroup(levels[level] ?? '') === group)
      counts[level] = (counts[level] ?? 0) + (conditionalPairs.counts[index] ?? 0);
  });
  if (counts.every((count) => count === 0)) return start;
  const u = normalise(counts, pseudoCount, c);
  const current = start.comparisons[comparison];
  if (current === undefined) return start;
  const entries: Record<string, { m: number; u: number }> = { ...current.levels };
  levels.forEach((level, l) => {
    const entry = entries[level];
    if (levelGroup(level) === group && entry !== undefined) entries[level] = { ...entry, u: u[l] ?? PROBABILITY_FLOOR };
  });
  return { ...start, comparisons: { ...start.comparisons, [comparison]: { ...current, levels: entries } } };
}

/**
 * u of one condition group's levels copied from another's, level for level ("same-surname:address"
 * from "other-surname:address"). For data where the condition says nothing about the levels
 * among different people: with no households, sharing a surname makes sharing an address no
 * likelier, and the other group's u, measured over far more pairs, is the better measure (the
 * group's own sample holds the duplicates whose first name and birth date were both replaced,
 * and would count them as neighbours).
 */
export function withGroupUFrom(start: MatchParameters, comparison: ComparisonName, group: string, from: string): MatchParameters {
  const current = start.comparisons[comparison];
  if (current === undefined) return start;
  const entries: Record<string, { m: number; u: number }> = { ...current.levels };
  for (const level of COMPARISONS[comparison]) {
    if (levelGroup(level) !== group) continue;
    const source = current.levels[`${from}${level.slice(group.length)}`];
    const entry = entries[level];
    if (source !== undefined && entry !== undefined) entries[level] = { ...entry, u: source.u };
  }
  return { ...start, comparisons: { ...start.comparisons, [comparison]: { ...current, levels: entries } } };
}

/**
 * u of the rarest levels of one condition group, measured inside the narrower population that
 * reaching them requires. Sharing a whole address needs a shared postcode first; among uniform
 * random pairs that full agreement is so rare that u is the smoothing's floor and no measure of
 * chance at all. So the mass that random pairs give the `nested` levels together (well measured:
 * every pair in one postcode counts) is shared out among them in proportion to how often each
 * occurs among pairs drawn inside one postcode. Where households or flat-shares are common, those
 * pairs show it and the levels stay weak; where people rarely share an address, u falls below
 * what random pairs can resolve. Needs at least `minimumPairs` of the group among the pairs;
 * otherwise `start` is kept.
 */
export function withNestedU(
  start: MatchParameters,
  comparison: ComparisonName,
  group: string,
  nested: ReadonlySet<string>,
  nestedPairs: VectorCounts,
  minimumPairs = 200,
  pseudoCount = 0.5,
): MatchParameters {
  const c = COMPARISON_NAMES.indexOf(comparison);
  const levels = COMPARISONS[comparison];
  const current = start.comparisons[comparison];
  if (current === undefined) return start;
  const inScope = (level: string): boolean => levelGroup(level) === group && nested.has(level.slice(level.indexOf(':') + 1));
  const counts = new Map<string, number>(levels.filter(inScope).map((level) => [level, 0]));
  nestedPairs.vectors.forEach((vector, index) => {
    const level = levels[vector[c] ?? -1];
    if (level !== undefined && counts.has(level)) counts.set(level, (counts.get(level) ?? 0) + (nestedPairs.counts[index] ?? 0));
  });
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  if (total < minimumPairs) return start;
  const mass = [...counts.keys()].reduce((sum, level) => sum + (current.levels[level]?.u ?? 0), 0);
  const entries: Record<string, { m: number; u: number }> = { ...current.levels };
  for (const [level, count] of counts) {
    const entry = entries[level];
    if (entry !== undefined)
      entries[level] = { ...entry, u: clampPrior((mass * (count + pseudoCount)) / (total + pseudoCount * counts.size)) };
  }
  return { ...start, comparisons: { ...start.comparisons, [comparison]: { ...current, levels: entries } } };
}

/**
 * Expectation-maximisation of the Fellegi-Sunter mixture over candidate pairs: each pair is a
 * match with probability lambda; given its status, comparison levels are independent with
 * probabilities m (match) or u (non-match). Missing comparisons are skipped (missing at random).
 * Deterministic: same input, same output.
 */
export function estimateParametersEm(data: VectorCounts, start: MatchParameters, options: EmOptions): MatchParameters {
  const m = tableFrom(start, 'm');
  let u = tableFrom(start, 'u');
  let lambda = start.lambda;
  const total = data.counts.reduce((sum, count) => sum + count, 0);
  const excluded = new Set(COMPARISON_NAMES.flatMap((name, c) => (options.excluded?.includes(name) === true ? [c] : [])));
  let iterations = 0;
  let converged = false;

  while (iterations < options.maxIterations && total > 0) {
    iterations += 1;
    const mCounts = m.map((levels) => levels.map(() => 0));
    const uCounts = u.map((levels) => levels.map(() => 0));
    let matchMass = 0;
    data.vectors.forEach((vector, index) => {
      const count = data.counts[index] ?? 0;
      // Log space: six small probabilities multiply to values that stay representable, but the
      // ratio is what matters and logs keep it exact for extreme levels.
      let logMatch = Math.log(lambda);
      let logNonMatch = Math.log(1 - lambda);
      vector.forEach((level, c) => {
        if (level === null || excluded.has(c)) return;
        logMatch += Math.log(m[c]?.[level] ?? PROBABILITY_FLOOR);
        logNonMatch += Math.log(u[c]?.[level] ?? PROBABILITY_FLOOR);
      });
      const p = 1 / (1 + Math.exp(logNonMatch - logMatch));
      matchMass += count * p;
      vector.forEach((level, c) => {
        if (level === null || excluded.has(c)) return;
        const mRow = mCounts[c];
        const uRow = uCounts[c];
        if (mRow !== undefined) mRow[level] = (mRow[level] ?? 0) + count * p;
        if (uRow !== undefined) uRow[level] = (uRow[level] ?? 0) + count * (1 - p);
      });
    });

    const nextLambda = clampProbability(matchMass / total);
    const nextM = mCounts.map((counts, c) => (excluded.has(c) ? (m[c] ?? []) : normalise(counts, options.pseudoCount, c)));
    const nextU = options.fixU
      ? u
      : uCounts.map((counts, c) => (excluded.has(c) ? (u[c] ?? []) : normalise(counts, options.pseudoCount, c)));
    let change = Math.abs(nextLambda - lambda);
    nextM.forEach((levels, c) => levels.forEach((value, l) => (change = Math.max(change, Math.abs(value - (m[c]?.[l] ?? 0))))));
    nextU.forEach((levels, c) => levels.forEach((value, l) => (change = Math.max(change, Math.abs(value - (u[c]?.[l] ?? 0))))));
    lambda = nextLambda;
    nextM.forEach((levels, c) => (m[c] = levels));
    u = nextU;
    if (change < options.tolerance) {
      converged = true;
      break;
    }
  }

  const comparisons = { ...start.comparisons };
  COMPARISON_NAMES.forEach((name, c) => {
    const entries: Record<string, { m: number; u: number }> = {};
    COMPARISONS[name].forEach((level, l) => {
      entries[level] = { m: m[c]?.[l] ?? PROBABILITY_FLOOR, u: u[c]?.[l] ?? PROBABILITY_FLOOR };
    });
    comparisons[name] = { levels: entries, termFrequencyWeight: start.comparisons[name]?.termFrequencyWeight ?? 0 };
  });
  return {
    ...start,
    version: options.version,
    lambda,
    comparisons,
    training: { candidatePairs: total, iterations, converged, uSource: options.fixU ? (start.training?.uSource ?? 'prior') : 'em' },
  };
}

/**
 * Expected number of matching pairs at each level of each comparison (in COMPARISON_NAMES
 * order), under the parameters: every pair counted with its posterior chance of a match, the
 * `excluded` comparisons (blocked on) neither weighing nor counted.
 */
export function expectedMatchCounts(data: VectorCounts, parameters: MatchParameters, excluded: readonly ComparisonName[] = []): number[][] {
  const m = tableFrom(parameters, 'm');
  const u = tableFrom(parameters, 'u');
  const left = new Set(COMPARISON_NAMES.flatMap((name, c) => (excluded.includes(name) ? [c] : [])));
  const visible = (vector: ComparisonVector): ComparisonVector => vector.map((level, c) => (left.has(c) ? null : level));
  const priorLogOdds = Math.log(parameters.lambda / (1 - parameters.lambda));
  const counts = COMPARISON_NAMES.map((name) => COMPARISONS[name].map(() => 0));
  data.vectors.forEach((vector, index) => {
    const seen = visible(vector);
    const weight = (data.counts[index] ?? 0) / (1 + Math.exp(-(priorLogOdds + logLikelihoodRatio(seen, m, u))));
    seen.forEach((level, c) => {
      const row = counts[c];
      if (level !== null && row !== undefined) row[level] = (row[level] ?? 0) + weight;
    });
  });
  return counts;
}

/**
 * m of a comparison with condition groups from expected match counts pooled over training
 * sessions, normalised within each group. A session whose blocking leaves a group almost without
 * matches (different surnames among pairs blocked on the surname's initial) would otherwise give
 * that group the smoothing's flat m, and an average over sessions would carry it.
 */
export function pooledGroupM(
  name: ComparisonName,
  counts: readonly (readonly number[])[],
  pseudoCount = defaultEmOptions.pseudoCount,
): number[] {
  const c = COMPARISON_NAMES.indexOf(name);
  const pooled = COMPARISONS[name].map((_, l) => counts.reduce((sum, row) => sum + (row[l] ?? 0), 0));
  return normalise(pooled, pseudoCount, c);
}

/** Whether a comparison's levels are split into condition groups (contact, by surname). */
export function hasConditionGroups(name: ComparisonName): boolean {
  return COMPARISONS[name].some((level) => levelGroup(level) !== '');
}

/**
 * The prior that two records drawn at random are the same person, given m and u: the fixed point
 * of lambda = (expected matches among candidate pairs) / (all pairs). Matches outside the
 * candidate pairs are assumed rare (blocking recall near 1), which slightly underestimates it.
 */
export function estimateRandomPairPrior(
  candidates: VectorCounts,
  parameters: MatchParameters,
  totalPairs: number,
  maxIterations = 200,
): number {
  const m = tableFrom(parameters, 'm');
  const u = tableFrom(parameters, 'u');
  const logRatios = candidates.vectors.map((vector) => logLikelihoodRatio(vector, m, u));
  let lambda = clampPrior(parameters.lambda);
  for (let iteration = 0; iteration < maxIterations && totalPairs > 0; iteration += 1) {
    const priorLogOdds = Math.log(lambda / (1 - lambda));
    const expected = logRatios.reduce(
      (sum, logRatio, index) => sum + (candidates.counts[index] ?? 0) / (1 + Math.exp(-(priorLogOdds + logRatio))),
      0,
    );
    const next = clampPrior(expected / totalPairs);
    if (Math.abs(next - lambda) < lambda * 1e-6) return next;
    lambda = next;
  }
  return lambda;
}
