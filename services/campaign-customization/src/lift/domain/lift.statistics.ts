import { normalQuantile } from './normal-distribution';

/** Customers first exposed in a group, and how many of them converted within the attribution window. */
export interface GroupCounts {
  exposed: number;
  converted: number;
}

export interface Interval {
  lower: number;
  upper: number;
}

export interface LiftInput {
  treated: GroupCounts;
  control: GroupCounts;
  /** Two-sided confidence level; 0.95 unless stated. */
  confidence?: number;
}

export interface LiftResult {
  treated: GroupCounts & { rate: number | null };
  control: GroupCounts & { rate: number | null };
  /** treated rate - control rate (percentage points as a fraction). */
  absoluteLift: number | null;
  /** Newcombe's hybrid score interval for the difference of two independent proportions. */
  absoluteInterval: Interval | null;
  /** treated rate / control rate - 1. */
  relativeLift: number | null;
  /** Katz log interval for the rate ratio, minus 1. */
  relativeInterval: Interval | null;
  confidence: number;
  /** The absolute interval excludes zero. */
  significant: boolean | null;
  methods: { absolute: 'newcombe-hybrid-score'; relative: 'katz-log-ratio' };
  /** Why a figure is missing, if one is. */
  notes: string[];
}

export class InvalidLiftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLiftInputError';
  }
}

/**
 * Conversion rates of treated and control, the lift, and its confidence intervals.
 *
 * Difference: Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the
 * Wilson score interval of each rate. Chosen over the Wald interval because conversion rates
 * are small and groups are often small early in a campaign, where Wald covers far less than
 * its nominal 95%, collapses to zero width at 0 conversions and can leave [-1, 1]; the hybrid
 * score interval keeps close to nominal coverage in those cases and costs the same.
 *
 * Ratio: the Katz log interval, exp(ln RR +- z * sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)) - 1: the
 * delta method on the log scale, where the ratio's sampling distribution is near symmetric.
 * It needs at least one conversion in each group; without, the relative figures are null.
 */
export function computeLift(input: LiftInput): LiftResult {
  const confidence = input.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new InvalidLiftInputError('confidence must be between 0 and 1');
  check('treated', input.treated);
  check('control', input.control);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const notes: string[] = [];
  const t = input.treated;
  const c = input.control;
  const pt = t.exposed > 0 ? t.converted / t.exposed : null;
  const pc = c.exposed > 0 ? c.converted / c.exposed : null;
  if (pt === null) notes.push('no treated customer exposed yet');
  if (pc === null) notes.push('no control customer exposed yet');

  let absoluteLift: number | null = null;
  let absoluteInterval: Interval | null = null;
  if (pt !== null && pc !== null) {
    absoluteLift = pt - pc;
    absoluteInterval = newcombeInterval(t, c, z);
  }

  let relativeLift: number | null = null;
  let relativeInterval: Interval | null = null;
  if (pt !== null && pc !== null) {
    if (pc === 0) notes.push('no control conversion yet: relative lift undefined');
    else relativeLift = pt / pc - 1;
    if (t.converted === 0 || c.converted === 0) {
      if (pc !== 0) notes.push('a group without conversions: no interval for the relative lift yet');
    } else {
      relativeInterval = katzRatioInterval(t, c, z);
    }
  }

  return {
    treated: { ...t, rate: pt },
    control: { ...c, rate: pc },
    absoluteLift,
    absoluteInterval,
    relativeLift,
    relativeInterval,
    confidence,
    significant: absoluteInterval === null ? null : absoluteInterval.lower > 0 || absoluteInterval.upper < 0,
    methods: { absolute: 'newcombe-hybrid-score', relative: 'katz-log-ratio' },
    notes,
  };
}

/** Wilson score interval for one proportion x / n. */
export function wilsonInterval(x: number, n: number, z: number): Interval {
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval for p1 - p2. */
export function newcombeInterval(a: GroupCounts, b: GroupCounts, z: number): Interval {
  const p1 = a.converted / a.exposed;
  const p2 = b.converted / b.exposed;
  const w1 = wilsonInterval(a.converted, a.exposed, z);
  const w2 = wilsonInterval(b.converted, b.exposed, z);
  const d = p1 - p2;
  return {
    lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/** Wald interval for p1 - p2; kept for comparison and for readers who expect it, not used by computeLift. */
export function waldInterval(a: GroupCounts, b: GroupCounts, z: number): Interval {
  const p1 = a.converted / a.exposed;
  const p2 = b.converted / b.exposed;
  const se = Math.sqrt((p1 * (1 - p1)) / a.exposed + (p2 * (1 - p2)) / b.exposed);
  return { lower: p1 - p2 - z * se, upper: p1 - p2 + z * se };
}

/** Katz log interval for the ratio p1 / p2, returned as an interval of the relative lift (ratio - 1). */
export function katzRatioInterval(a: GroupCounts, b: GroupCounts, z: number): Interval {
  const ratio = a.converted / a.exposed / (b.converted / b.exposed);
  const se = Math.sqrt(1 / a.converted - 1 / a.exposed + 1 / b.converted - 1 / b.exposed);
  return { lower: Math.exp(Math.log(ratio) - z * se) - 1, upper: Math.exp(Math.log(ratio) + z * se) - 1 };
}

function check(group: string, counts: GroupCounts): void {
  const { exposed, converted } = counts;
  if (!Number.isInteger(exposed) || !Number.isInteger(converted) || exposed < 0 || converted < 0) {
    throw new InvalidLiftInputError(`${group}: exposed and converted are whole numbers, 0 or more`);
  }
  if (converted > exposed) throw new InvalidLiftInputError(`${group}: more conversions (${converted}) than exposed customers (${exposed})`);
}

export interface MeanDifference {
  treatedMean: number | null;
  controlMean: number | null;
  difference: number | null;
  /** Welch's interval (normal approximation) for the difference of the two means. */
  interval: Interval | null;
  confidence: number;
  significant: boolean | null;
  method: 'welch-normal';
}

/**
 * Difference of mean revenue per customer (treated - control) with Welch's unequal-variance
 * interval, using the normal quantile: groups are customers (hundreds or more), where the t and
 * normal quantiles agree to the second decimal. Needs two customers in each group.
 */
export function meanDifference(
  treated: { customers: number; sum: number; sumOfSquares: number },
  control: { customers: number; sum: number; sumOfSquares: number },
  confidence = 0.95,
): MeanDifference {
  if (!(confidence > 0 && confidence < 1)) throw new InvalidLiftInputError('confidence must be between 0 and 1');
  const mean = (g: typeof treated) => (g.customers > 0 ? g.sum / g.customers : null);
  const variance = (g: typeof treated) =>
    g.customers > 1 ? Math.max(0, (g.sumOfSquares - (g.sum * g.sum) / g.customers) / (g.customers - 1)) : null;
  const mt = mean(treated);
  const mc = mean(control);
  const vt = variance(treated);
  const vc = variance(control);
  const base = { treatedMean: mt, controlMean: mc, confidence, method: 'welch-normal' as const };
  if (mt === null || mc === null || vt === null || vc === null)
    return { ...base, difference: mt !== null && mc !== null ? mt - mc : null, interval: null, significant: null };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const se = Math.sqrt(vt / treated.customers + vc / control.customers);
  const difference = mt - mc;
  const interval = { lower: difference - z * se, upper: difference + z * se };
  return { ...base, difference, interval, significant: interval.lower > 0 || interval.upper < 0 };
}
