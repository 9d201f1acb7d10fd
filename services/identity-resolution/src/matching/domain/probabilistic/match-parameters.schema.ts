import { z } from 'zod';
import { COMPARISON_NAMES, COMPARISONS, ComparisonName, levelGroup, TERM_FREQUENCY_COMPARISONS } from './record-comparison';

const probability = z.number().gt(0).lt(1);

const levelParameters = z.object({
  /** P(level | the two records are the same person). */
  m: probability,
  /** P(level | they are different people). */
  u: probability,
});

const comparisonParameters = z.object({
  levels: z.record(z.string(), levelParameters),
  /**
   * How much of the term-frequency adjustment to apply to an exact match (0 = none, 1 = full
   * Splink-style replacement of u by the value's frequency).
   */
  termFrequencyWeight: z.number().min(0).max(1).default(0),
});

export const matchParametersSchema = z
  .object({
    /** Identifies the estimate; recorded with every probabilistic link so it can be explained. */
    version: z.string().min(1).max(128),
    /** Prior share of matches among candidate pairs. */
    lambda: probability,
    comparisons: z.record(z.string(), comparisonParameters),
    thresholds: z
      .object({
        /** Total weight (log2 Bayes factor including the prior) at or above which records merge. */
        autoMerge: z.number(),
        /** At or above this and below autoMerge a human reviews the pair. */
        review: z.number(),
      })
      .refine((t) => t.review <= t.autoMerge, { message: 'review threshold must not exceed autoMerge' }),
    training: z
      .object({
        candidatePairs: z.number().int().min(0),
        iterations: z.number().int().min(0),
        converged: z.boolean(),
        uSource: z.enum(['em', 'random-pairs', 'prior']),
      })
      .optional(),
    /**
     * Whether the data holds households (see judgeHouseholds in parameter-training.ts): pairs sharing surname and
     * address that differ on both first name and birth date, against the number typing errors
     * alone would explain. Absent on sets estimated before it was measured: households assumed.
     */
    households: z
      .object({
        pairs: z.number().int().min(0),
        bothDiffer: z.number().int().min(0),
        expectedFromErrors: z.number().min(0),
        present: z.boolean(),
      })
      .optional(),
  })
  .superRefine((parameters, ctx) => {
    for (const name of COMPARISON_NAMES) {
      const comparison = parameters.comparisons[name];
      if (comparison === undefined) {
        ctx.addIssue({ code: 'custom', path: ['comparisons', name], message: 'is missing' });
        continue;
      }
      for (const level of COMPARISONS[name]) {
        if (comparison.levels[level] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['comparisons', name, 'levels', level], message: 'is missing' });
        }
      }
    }
  });

export type MatchParameters = z.output<typeof matchParametersSchema>;
export type MatchParametersInput = z.input<typeof matchParametersSchema>;
export type ComparisonParameters = MatchParameters['comparisons'][string];

/**
 * Levels added to a comparison after a parameter set was stored, each with the level it was split
 * from: an older set scores the new level as it scored the old one, until the next estimate.
 */
const LEVEL_ORIGINS: Readonly<Record<string, string>> = {
  'contact.same-surname:address-unit': 'same-surname:address',
  'contact.other-surname:address-unit': 'other-surname:address',
  'contact.same-surname:address-similar': 'same-surname:area-street-differs',
  'contact.other-surname:address-similar': 'other-surname:area-street-differs',
  'contact.same-surname:street-name': 'same-surname:area-street-differs',
  'contact.other-surname:street-name': 'other-surname:area-street-differs',
};

/** A stored parameter set brought up to the current levels (see LEVEL_ORIGINS); anything else is left to the schema. */
export function upgradeStoredParameters(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || !('comparisons' in input)) return input;
  const comparisons = (input as { comparisons: unknown }).comparisons;
  if (comparisons === null || typeof comparisons !== 'object') return input;
  const upgraded: Record<string, unknown> = { ...(comparisons as Record<string, unknown>) };
  for (const [path, origin] of Object.entries(LEVEL_ORIGINS)) {
    const [name = '', level = ''] = path.split(/\.(.*)/su);
    const comparison = upgraded[name] as { levels?: Record<string, unknown> } | undefined;
    const levels = comparison?.levels;
    if (levels === undefined || level in levels || !(origin in levels)) continue;
    upgraded[name] = { ...comparison, levels: { ...levels, [level]: levels[origin] } };
  }
  return { ...input, comparisons: upgraded };
}

export function comparisonParametersOf(parameters: MatchParameters, name: ComparisonName): ComparisonParameters {
  const comparison = parameters.comparisons[name];
  // The schema guarantees presence; this guard only protects hand-built objects.
  if (comparison === undefined) throw new Error(`match parameters lack comparison ${name}`);
  return comparison;
}

/**
 * Starting values for EM and a usable model before any estimate exists: m falls and u rises
 * towards the catch-all level. Rough on purpose; EM replaces them.
 */
export const DEFAULT_THRESHOLDS: MatchParameters['thresholds'] = {
  autoMerge: Math.log2(0.9 / 0.1),
  review: Math.log2(0.2 / 0.8),
};

export function initialMatchParameters(version = 'initial'): MatchParameters {
  const comparisons: Record<string, ComparisonParameters> = {};
  for (const name of COMPARISON_NAMES) {
    const entries: Record<string, { m: number; u: number }> = {};
    const groups = new Map<string, string[]>();
    for (const level of COMPARISONS[name]) groups.set(levelGroup(level), [...(groups.get(levelGroup(level)) ?? []), level]);
    for (const levels of groups.values()) {
      const count = levels.length;
      const u = 0.1 / (count - 1);
      // Geometric m, but never below u: an untrained model must not read a weak agreement (the
      // same state only) as evidence against; the agreeing levels share 0.95 of m.
      const raw = levels.slice(0, -1).map((_, index) => Math.max((0.95 * 2 ** -(index + 1)) / (1 - 2 ** -(count - 1)), u));
      const scale = 0.95 / raw.reduce((sum, m) => sum + m, 0);
      levels.forEach((level, index) => {
        const last = index === count - 1;
        entries[level] = { m: last ? 0.05 : (raw[index] ?? u) * scale, u: last ? 0.9 : u };
      });
    }
    comparisons[name] = { levels: entries, termFrequencyWeight: TERM_FREQUENCY_COMPARISONS.includes(name) ? 1 : 0 };
  }
  return {
    version,
    lambda: 0.001,
    comparisons,
    // In log2 posterior odds: auto-merge from a 90% match probability, review from 20%. Chosen
    // on synthetic populations (seeds other than the accuracy test's), where the model proved
    // under-confident: pairs scored at 80-95% were matches about 95% of the time.
    thresholds: DEFAULT_THRESHOLDS,
  };
}
