import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { InMemoryBlockingIndex } from './blocking-keys';
import {
  countVectors,
  defaultEmOptions,
  estimateParametersEm,
  estimateRandomPairPrior,
  expectedMatchCounts,
  hasConditionGroups,
  PairVectors,
  pooledGroupM,
  VectorCounts,
  weightByNonMatch,
  withConditionalU,
  withGroupUFrom,
  withNestedU,
  withUFromRandomPairs,
} from './em.estimator';
import { initialMatchParameters, MatchParameters } from './match-parameters.schema';
import { PreparedRecord } from './person-record.model';
import { ADDRESS_IN_AREA_LEVELS, COMPARISON_NAMES, COMPARISONS, ComparisonName, CONDITIONED_ON } from './record-comparison';

/**
 * One EM run over the pairs of one blocking recipe, leaving out the comparisons that recipe
 * blocks on (as Splink does). The defaults avoid recipes whose non-matching pairs are mostly
 * members of one household (phone, address): there, agreement on surname and address is common
 * among non-matches and EM would mistake households for people.
 */
export interface TrainingSession {
  readonly recipe: string;
  readonly excluded: readonly ComparisonName[];
}

export const defaultTrainingSessions: readonly TrainingSession[] = [
  { recipe: 'names', excluded: ['firstName', 'lastName'] },
  { recipe: 'dob-li', excluded: ['birthDate', 'lastName'] },
  { recipe: 'dob-fi', excluded: ['birthDate', 'firstName'] },
];

export interface TrainingOptions {
  /** Version stamped on the result; the service derives it from time and data. */
  readonly version: string;
  /** Seed of the random-pair sample used for u; fixed so that re-estimation is reproducible. */
  readonly seed: number;
  readonly randomPairs: number;
  readonly maxBlockSize: number;
  readonly thresholds?: MatchParameters['thresholds'];
  readonly start?: MatchParameters;
  readonly sessions?: readonly TrainingSession[];
}

export const defaultTrainingOptions: Omit<TrainingOptions, 'version'> = { seed: 20240601, randomPairs: 150_000, maxBlockSize: 200 };

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

/** The index of the first of the ascending bounds above target (bounds.length when none is): a binary search. */
function firstAbove(bounds: readonly number[], target: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bounds[middle] ?? Number.POSITIVE_INFINITY) > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Pairs drawn uniformly among the pairs of records that give the same value of `keyOf` (a
 * surname: the population the "same-surname" levels of contact are conditioned on; a postcode:
 * the one full address agreement is nested in). Reproducible from the seed.
 */
export function sampleSameKeyPairs(
  records: readonly PreparedRecord[],
  keyOf: (record: PreparedRecord) => string | undefined,
  count: number,
  seed: number,
): Array<readonly [PreparedRecord, PreparedRecord]> {
  const groups = new Map<string, PreparedRecord[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [record]);
    else group.push(record);
  }
  const usable = [...groups.values()].filter((group) => group.length >= 2);
  const cumulative: number[] = [];
  let total = 0;
  for (const group of usable) {
    total += (group.length * (group.length - 1)) / 2;
    cumulative.push(total);
  }
  if (total === 0) return [];
  const rng = xoroshiro128plus(seed);
  const pairs: Array<readonly [PreparedRecord, PreparedRecord]> = [];
  // Each draw picks a group in proportion to its pairs, then a pair within it.
  const scale = 1_000_000;
  for (let k = 0; k < count; k += 1) {
    const target = (uniformInt(rng, 0, scale - 1) / scale) * total;
    const g = Math.min(firstAbove(cumulative, target), usable.length - 1);
    const group = usable[g] ?? [];
    pairs.push(...sampleRandomPairs(group, 1, uniformInt(rng, 0, 2 ** 30)));
  }
  return pairs;
}

function vectorsOf(
  pairs: ReadonlyArray<readonly [string, string]>,
  byId: ReadonlyMap<string, PreparedRecord>,
  compared: PairVectors,
): VectorCounts {
  return countVectors(
    pairs.flatMap(([x, y]) => {
      const a = byId.get(x);
      const b = byId.get(y);
      return a !== undefined && b !== undefined ? [compared.of(a, b)] : [];
    }),
  );
}

/**
 * The re-estimation command's core, pure given its inputs:
 * 1. u from random pairs (almost all non-matches, so an unbiased view of chance agreement);
 * 2. m by EM per training session, each comparison's m averaged over the sessions that did not
 *    block on it;
 * 3. lambda, the prior that two random records match, as a fixed point over all candidate pairs.
 */
export function trainMatchParameters(records: readonly PreparedRecord[], options: TrainingOptions): MatchParameters {
  const start = options.start ?? initialMatchParameters(options.version);
  const byId = new Map(records.map((record) => [record.recordId, record] as const));
  // Every pair below is compared once however often the samples and recipes name it.
  const compared = new PairVectors();
  const random = countVectors(sampleRandomPairs(records, options.randomPairs, options.seed).map(([a, b]) => compared.of(a, b)));
  const index = new InMemoryBlockingIndex(options.maxBlockSize);
  for (const record of records) index.add(record);
  const sessions = (options.sessions ?? defaultTrainingSessions).map((session) => ({
    session,
    data: vectorsOf(index.pairs(session.recipe), byId, compared),
  }));
  const allPairs = vectorsOf(index.pairs(), byId, compared);
  const totalPairs = (records.length * (records.length - 1)) / 2;

  // Two rounds: the second re-estimates u with the random pairs that look like matches weighted
  // out, then m and lambda again with that u.
  // Pairs that share a surname hold many true matches (the surname is one of the things a match
  // agrees on), which would inflate u of "same surname and same address". Those whose first
  // names and birth dates both plainly differ are almost all different people, and for different
  // people that condition selects nearly nothing (most pairs differ on both anyway).
  const firstNameElse = COMPARISONS.firstName.indexOf('else');
  const birthDateElse = COMPARISONS.birthDate.indexOf('else');
  const [firstNameAt, birthDateAt] = [COMPARISON_NAMES.indexOf('firstName'), COMPARISON_NAMES.indexOf('birthDate')];
  const sameSurname = countVectors(
    sampleSameKeyPairs(records, (record) => record.lastName, options.randomPairs * 2, options.seed + 1)
      .map(([a, b]) => compared.of(a, b))
      .filter((vector) => vector[firstNameAt] === firstNameElse && vector[birthDateAt] === birthDateElse),
  );
  // Pairs within one postcode, where a shared street address can happen: they measure how rare
  // it is among different people far below what random pairs resolve (see withNestedU). They
  // are full of matches (a duplicate keeps its postcode), so they count only once weighted by
  // the chance of a non-match, from the second round on.
  const samePostcode = countVectors(
    sampleSameKeyPairs(records, (record) => record.postcode, options.randomPairs * 2, options.seed + 2).map(([a, b]) => compared.of(a, b)),
  );
  // Where the data shows no households (measured after each round, from that round's m), the
  // same-surname contact levels take the other-surname u: see withGroupUFrom.
  const householdPairs = countHouseholdPairs(index, byId, compared);
  const withU = (from: MatchParameters, weighted: boolean): MatchParameters => {
    const conditional = withConditionalU(
      withUFromRandomPairs(from, weighted ? weightByNonMatch(random, from) : random),
      'contact',
      'same-surname',
      weighted ? weightByNonMatch(sameSurname, from) : sameSurname,
    );
    if (!weighted) return conditional;
    const inArea = withAddressUInArea(conditional, samePostcode);
    return judgeHouseholds(householdPairs, from).present ? inArea : withGroupUFrom(inArea, 'contact', 'same-surname', 'other-surname');
  };
  let parameters: MatchParameters = { ...withU(start, false), lambda: 1 / Math.max(2, records.length) };
  let iterations = 0;
  let converged = true;
  let sessionPairs = 0;
  for (let round = 0; round < 4; round += 1) {
    if (round > 0) parameters = withU(parameters, true);
    const fitted = fitM(parameters, sessions, options.version);
    iterations += fitted.iterations;
    converged &&= fitted.converged;
    sessionPairs = fitted.pairs;
    parameters = { ...parameters, comparisons: fitted.comparisons };
    parameters = { ...parameters, lambda: estimateRandomPairPrior(allPairs, parameters, totalPairs) };
  }
  return {
    ...parameters,
    version: options.version,
    ...(options.thresholds !== undefined ? { thresholds: options.thresholds } : {}),
    training: { candidatePairs: sessionPairs, iterations, converged, uSource: 'random-pairs' },
    households: judgeHouseholds(householdPairs, parameters),
  };
}

const NESTED_ROUNDS = 25;

/**
 * u of the address levels of different-surname pairs inside one postcode (withNestedU), with the
 * pairs weighted by their chance of being different people. Within a postcode that chance is not
 * the population's prior: a duplicate keeps its postcode, so matches are a sizeable share there,
 * and weighting by the population's prior would count them as neighbours. So the share of
 * matches among these pairs is estimated with u, as EM would (E: each pair's chance of a match
 * under that share; M: u and the share again), m and the other comparisons' u held fixed. Only
 * different surnames: pairs with one surname have their own sample, and those that also share a
 * postcode are mostly the same person.
 */
function withAddressUInArea(start: MatchParameters, samePostcode: VectorCounts): MatchParameters {
  const total = samePostcode.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return start;
  let parameters = start;
  let lambda = 0.5;
  for (let round = 0; round < NESTED_ROUNDS; round += 1) {
    const nonMatching = weightByNonMatch(samePostcode, { ...parameters, lambda });
    const next = (total - nonMatching.counts.reduce((sum, count) => sum + count, 0)) / total;
    parameters = withNestedU(start, 'contact', 'other-surname', ADDRESS_IN_AREA_LEVELS, nonMatching);
    const settled = Math.abs(next - lambda) < 1e-4;
    lambda = Math.min(0.99, Math.max(1e-6, next));
    if (settled) break;
  }
  return parameters;
}

/** Below this many pairs sharing surname and address the data cannot tell; households are assumed. */
export const MIN_HOUSEHOLD_EVIDENCE_PAIRS = 100;
/** How far above what typing errors explain the count of "both differ" pairs must be to show households. */
const HOUSEHOLD_EXCESS_FACTOR = 3;
const HOUSEHOLD_EXCESS_SLACK = 5;
const ADDRESS_RECIPES = ['street-pc', 'num-pc', 'street-loc', 'num-loc'];

/**
 * Does the data hold households, people who share a surname and an address? Among pairs that
 * share both, a record of the same person differs on first name and birth date only when both
 * were mistyped or replaced, which the trained m of those two levels prices; members of one
 * household differ on both almost always. So the count of such pairs against the count typing
 * errors explain tells the two worlds apart: customer bases with families show hundreds of times
 * more, deduplication sets without any (FEBRL) about as many as expected. Only where households
 * are plainly absent does the resolver let household evidence (surname, address, landline) link
 * records on its own weight; everywhere else it asks for a first name or birth date to agree.
 */
function judgeHouseholds({ pairs, bothDiffer }: HouseholdPairs, parameters: MatchParameters): NonNullable<MatchParameters['households']> {
  const m = (name: 'firstName' | 'birthDate'): number => parameters.comparisons[name]?.levels['else']?.m ?? 1;
  const expectedFromErrors = pairs * m('firstName') * m('birthDate');
  const present =
    pairs < MIN_HOUSEHOLD_EVIDENCE_PAIRS || bothDiffer > HOUSEHOLD_EXCESS_FACTOR * expectedFromErrors + HOUSEHOLD_EXCESS_SLACK;
  return { pairs, bothDiffer, expectedFromErrors: Number(expectedFromErrors.toFixed(3)), present };
}

/** Pairs sharing surname and address with first name and birth date both given, and how many of them differ on both. */
interface HouseholdPairs {
  readonly pairs: number;
  readonly bothDiffer: number;
}

function countHouseholdPairs(
  index: InMemoryBlockingIndex,
  byId: ReadonlyMap<string, PreparedRecord>,
  compared: PairVectors,
): HouseholdPairs {
  const [contactAt, firstNameAt, birthDateAt] = (['contact', 'firstName', 'birthDate'] as const).map((name) =>
    COMPARISON_NAMES.indexOf(name),
  );
  const firstNameElse = COMPARISONS.firstName.indexOf('else');
  const birthDateElse = COMPARISONS.birthDate.indexOf('else');
  const seen = new Set<string>();
  let pairs = 0;
  let bothDiffer = 0;
  for (const recipe of ADDRESS_RECIPES) {
    for (const [x, y] of index.pairs(recipe)) {
      const key = `${x}|${y}`;
      const a = byId.get(x);
      const b = byId.get(y);
      if (seen.has(key) || a === undefined || b === undefined) continue;
      seen.add(key);
      const vector = compared.of(a, b);
      const contact = COMPARISONS.contact[vector[contactAt ?? -1] ?? -1];
      const firstName = vector[firstNameAt ?? -1];
      const birthDate = vector[birthDateAt ?? -1];
      if (
        contact === undefined ||
        !contact.startsWith('same-surname:address') ||
        firstName === null ||
        firstName === undefined ||
        birthDate === null ||
        birthDate === undefined
      )
        continue;
      pairs += 1;
      if (firstName === firstNameElse && birthDate === birthDateElse) bothDiffer += 1;
    }
  }
  return { pairs, bothDiffer };
}

/**
 * m of each comparison averaged over the EM sessions that did not block on it (as Splink does);
 * of a comparison with condition groups, pooled from the sessions' expected match counts instead
 * (see pooledGroupM), of the sessions that see its condition (CONDITIONED_ON) where any does.
 */
function fitM(
  parameters: MatchParameters,
  sessions: ReadonlyArray<{ session: TrainingSession; data: VectorCounts }>,
  version: string,
): { comparisons: MatchParameters['comparisons']; iterations: number; converged: boolean; pairs: number } {
  const sums = new Map<ComparisonName, number[]>();
  const runs = new Map<ComparisonName, number>();
  const grouped = new Map<ComparisonName, { sighted: number[][]; blind: number[][] }>();
  let iterations = 0;
  let converged = true;
  let pairs = 0;
  for (const { session, data } of sessions) {
    const pairCount = data.counts.reduce((sum, count) => sum + count, 0);
    if (pairCount === 0) continue;
    pairs += pairCount;
    const fitted = estimateParametersEm(
      data,
      { ...parameters, lambda: 0.5 },
      { ...defaultEmOptions, fixU: true, excluded: session.excluded, version },
    );
    iterations += fitted.training?.iterations ?? 0;
    converged &&= fitted.training?.converged ?? false;
    const matchCounts = expectedMatchCounts(data, fitted, session.excluded);
    for (const name of COMPARISON_NAMES) {
      if (session.excluded.includes(name)) continue;
      if (hasConditionGroups(name)) {
        // Sessions blind to the condition count only where no other session sees it.
        const condition = CONDITIONED_ON[name];
        const sighted = condition === undefined || !session.excluded.includes(condition);
        const pooled = grouped.get(name) ?? { sighted: [], blind: [] };
        (sighted ? pooled.sighted : pooled.blind).push(matchCounts[COMPARISON_NAMES.indexOf(name)] ?? []);
        grouped.set(name, pooled);
        continue;
      }
      const levels = COMPARISONS[name];
      const current = sums.get(name) ?? levels.map(() => 0);
      levels.forEach((level, l) => (current[l] = (current[l] ?? 0) + (fitted.comparisons[name]?.levels[level]?.m ?? 0)));
      sums.set(name, current);
      runs.set(name, (runs.get(name) ?? 0) + 1);
    }
  }
  const comparisons = { ...parameters.comparisons };
  for (const [name, { sighted, blind }] of grouped) {
    const current = parameters.comparisons[name];
    if (current === undefined) continue;
    const m = pooledGroupM(name, sighted.length > 0 ? sighted : blind);
    const levels: Record<string, { m: number; u: number }> = {};
    COMPARISONS[name].forEach((level, l) => {
      levels[level] = { m: m[l] ?? 0, u: current.levels[level]?.u ?? 0.5 };
    });
    comparisons[name] = { ...current, levels };
  }
  for (const name of COMPARISON_NAMES) {
    if (grouped.has(name)) continue;
    const total = sums.get(name);
    const count = runs.get(name) ?? 0;
    const current = parameters.comparisons[name];
    if (total === undefined || count === 0 || current === undefined) continue;
    const levels: Record<string, { m: number; u: number }> = {};
    COMPARISONS[name].forEach((level, l) => {
      levels[level] = { m: (total[l] ?? 0) / count, u: current.levels[level]?.u ?? 0.5 };
    });
    comparisons[name] = { ...current, levels };
  }
  return { comparisons, iterations, converged, pairs };
}
