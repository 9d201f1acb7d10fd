import { isMobileNumber } from '../normalisation/phone.normaliser';
import { comparisonParametersOf, MatchParameters } from './match-parameters.schema';
import { PreparedRecord } from './person-record.model';
import { compareRecords, ComparisonName, ComparisonOutcome, NameOrientation } from './record-comparison';
import { TermFrequencies } from './term-frequency';

export type MatchDecision = 'auto-merge' | 'review' | 'new';

export interface ScoredComparison {
  readonly comparison: ComparisonName;
  /** Null when a record lacks the data; such a comparison adds no weight. */
  readonly level: string | null;
  /** log2(m/u) plus the term-frequency adjustment. */
  readonly weight: number;
  readonly m?: number;
  readonly u?: number;
  /** log2(u / frequency of the agreed value) times the configured share; 0 when not applied. */
  readonly termFrequencyAdjustment: number;
  readonly detail: string;
  /**
   * A fuzzy first name one typing error away from the other, where one spelling is seen at most
   * once in the store and the other more often: a slip of the keyboard, not another name. Mark
   * and Mary are as close, but both are established names.
   */
  readonly typo?: true;
}

export interface MatchScore {
  readonly parametersVersion: string;
  /** Prior plus every comparison's weight: log2 of the posterior odds of a match. */
  readonly totalWeight: number;
  readonly priorWeight: number;
  readonly matchProbability: number;
  readonly decision: MatchDecision;
  readonly orientation: NameOrientation;
  /** One entry per comparison: the answer to "why are these one customer?". */
  readonly comparisons: readonly ScoredComparison[];
}

/** See ScoredComparison.typo: needs the counts of both spellings; unknown counts read as two names. */
function isTypo(outcome: ComparisonOutcome, termFrequencies: TermFrequencies | undefined): boolean {
  if (outcome.oneEdit === undefined || termFrequencies?.occurrences === undefined) return false;
  const counts = outcome.oneEdit.map((name) => termFrequencies.occurrences?.(outcome.comparison, name));
  if (counts.some((count) => count === undefined)) return false;
  const [rarer = 0, commoner = 0] = (counts as number[]).sort((x, y) => x - y);
  return rarer <= 1 && commoner >= 2;
}

function weighOutcome(outcome: ComparisonOutcome, parameters: MatchParameters, termFrequencies?: TermFrequencies): ScoredComparison {
  const typo = isTypo(outcome, termFrequencies) ? { typo: true as const } : {};
  if (outcome.level === null) {
    return { comparison: outcome.comparison, level: null, weight: 0, termFrequencyAdjustment: 0, detail: outcome.detail };
  }
  const comparison = comparisonParametersOf(parameters, outcome.comparison);
  const level = comparison.levels[outcome.level];
  if (level === undefined) throw new Error(`match parameters lack level ${outcome.comparison}.${outcome.level}`);
  let adjustment = 0;
  if (outcome.termValue !== undefined && termFrequencies !== undefined && comparison.termFrequencyWeight > 0) {
    const value = outcome.termValue;
    const frequencies = (outcome.termTables ?? [outcome.comparison]).map((table) => termFrequencies.frequency(table, value) ?? 0);
    const frequency = Math.max(0, ...frequencies);
    // Agreeing on a rare value is stronger evidence than agreeing on a common one: the chance
    // that a different person shares this exact value is its frequency, not the average u.
    if (frequency > 0) adjustment = comparison.termFrequencyWeight * Math.log2(level.u / frequency);
  }
  return {
    comparison: outcome.comparison,
    level: outcome.level,
    weight: Math.log2(level.m / level.u) + adjustment,
    m: level.m,
    u: level.u,
    termFrequencyAdjustment: adjustment,
    detail: outcome.detail,
    ...typo,
  };
}

/**
 * Traits that tell the members of one household apart. Surname, address and a landline are
 * shared by a household, so agreement on them alone is the signature of a relative as much as of
 * the same person; the model scores such pairs on the average household, which a rare surname
 * pushes over the threshold. An automatic link needs at least one of these to agree.
 */
// A fuzzy first name is not agreement: Mark and Mary are that close, and are a household.
const INDIVIDUAL_AGREEMENT: Readonly<Partial<Record<ComparisonName, ReadonlySet<string>>>> = {
  firstName: new Set(['exact', 'nickname', 'similar', 'phonetic']),
  birthDate: new Set(['exact', 'transposed', 'typo']),
  nationalId: new Set(['exact', 'typo']),
};

/** Whether two records give the same mobile number, which (unlike a landline) one person holds. */
export function sharePersonalMobile(a: PreparedRecord, b: PreparedRecord): boolean {
  return a.phone !== undefined && a.phone === b.phone && isMobileNumber(a.phone);
}

/** Outright disagreement on an individual trait: a different first name, birth date or national id. */
const INDIVIDUAL_DISAGREEMENT: Readonly<Partial<Record<ComparisonName, ReadonlySet<string>>>> = {
  firstName: new Set(['else']),
  birthDate: new Set(['else']),
  nationalId: new Set(['else']),
};

function anyLevelIn(score: MatchScore, levels: Readonly<Partial<Record<ComparisonName, ReadonlySet<string>>>>): boolean {
  return score.comparisons.some((item) => item.level !== null && levels[item.comparison]?.has(item.level) === true);
}

/** Whether the pair agrees on a trait a household does not share (see INDIVIDUAL_AGREEMENT). */
export function agreesOnIndividualTrait(score: MatchScore): boolean {
  return anyLevelIn(score, INDIVIDUAL_AGREEMENT);
}

/**
 * Whether both records give a first name and the names differ: not a nickname, sound-alike,
 * initial or typing error (see ScoredComparison.typo; only while the birth dates do not differ).
 * Mark and Mary differ; "aidsn" and "aidan" do not, although the two pairs are equally close: a
 * household guard that read every typo as another person would keep a customer's mistyped
 * records apart for ever.
 */
export function differentFirstNames(score: MatchScore): boolean {
  const birthDatesDiffer = score.comparisons.some((item) => item.comparison === 'birthDate' && item.level === 'else');
  return score.comparisons.some(
    (item) =>
      item.comparison === 'firstName' && (item.level === 'else' || (item.level === 'fuzzy' && (item.typo !== true || birthDatesDiffer))),
  );
}

/** Whether the pair plainly disagrees on a trait of the individual (first name, birth date, national id). */
export function contradictsOnIndividualTrait(score: MatchScore): boolean {
  return anyLevelIn(score, INDIVIDUAL_DISAGREEMENT);
}

export function priorWeight(parameters: MatchParameters): number {
  return Math.log2(parameters.lambda / (1 - parameters.lambda));
}

export function classifyWeight(totalWeight: number, thresholds: MatchParameters['thresholds']): MatchDecision {
  if (totalWeight >= thresholds.autoMerge) return 'auto-merge';
  if (totalWeight >= thresholds.review) return 'review';
  return 'new';
}

/**
 * Fellegi-Sunter score of a record pair with a per-comparison explanation. Symmetric:
 * scorePair(a, b) and scorePair(b, a) have the same total weight.
 */
export function scorePair(
  a: PreparedRecord,
  b: PreparedRecord,
  parameters: MatchParameters,
  termFrequencies?: TermFrequencies,
): MatchScore {
  const weigh = (outcomes: readonly ComparisonOutcome[]): number =>
    outcomes.reduce((sum, outcome) => sum + weighOutcome(outcome, parameters, termFrequencies).weight, 0);
  const comparison = compareRecords(a, b, (x, y) => weigh(x) > weigh(y));
  const scored = comparison.outcomes.map((outcome) => weighOutcome(outcome, parameters, termFrequencies));
  const prior = priorWeight(parameters);
  const totalWeight = scored.reduce((sum, item) => sum + item.weight, prior);
  return {
    parametersVersion: parameters.version,
    totalWeight,
    priorWeight: prior,
    matchProbability: 1 / (1 + 2 ** -totalWeight),
    decision: classifyWeight(totalWeight, parameters.thresholds),
    orientation: comparison.orientation,
    comparisons: scored,
  };
}
