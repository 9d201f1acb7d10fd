import { InvalidModelInputError } from './scoring.errors';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { floor } = Math;
const { isFinite: isFiniteNumber, isInteger: isIntegerNumber } = Number;

/**
 * The sufficient statistics of the BG/NBD and Pareto/NBD models, in one time unit of the
 * caller's choice (weeks in the literature, days in many tools); fitted parameters carry that
 * unit (alpha and beta are in it), so fit and score with the same one.
 */
export interface RecencyFrequency {
  /** Repeat purchases in the calibration period: purchases after the first one. */
  x: number;
  /** Recency: time from the first to the last purchase (0 when x = 0). */
  tx: number;
  /** Age: time from the first purchase to the end of the calibration period. */
  T: number;
}

/** What Gamma-Gamma needs: the mean value of the x repeat purchases (FHL's m_x). */
export interface SpendSummary {
  x: number;
  mx: number;
}

export interface CustomerSummary extends RecencyFrequency, SpendSummary {
  customerId: string;
  firstPurchaseAt: Date;
  /** Purchases after the calibration end, up to the holdout end (0 without a holdout). */
  holdoutPurchases: number;
  holdoutSpend: number;
}

export interface Transaction {
  customerId: string;
  at: Date;
  amount: number;
}

export interface SummariseOptions {
  calibrationEnd: Date;
  holdoutEnd?: Date;
  /** Length of the model's time unit in days: 7 for weeks (default), 1 for days. */
  timeUnitDays?: number;
  /**
   * 'day' (default) counts at most one purchase per customer per UTC day and sums its amounts,
   * as the published CDNOW analyses and most CLV tools do, since order files often carry dates
   * only and split baskets would otherwise count as repeat purchases. 'exact' keeps timestamps.
   */
  granularity?: 'day' | 'exact';
}

const MS_PER_DAY = 86_400_000;

/** Time between two instants in model units, on the same day grid the summaries use. */
export function elapsedUnits(from: Date, to: Date, options: Pick<SummariseOptions, 'timeUnitDays' | 'granularity'> = {}): number {
  const unitMs = (options.timeUnitDays ?? 7) * MS_PER_DAY;
  const grid = gridOf(options.granularity ?? 'day');
  return (grid(to.getTime()) - grid(from.getTime())) / unitMs;
}

function gridOf(granularity: 'day' | 'exact'): (ms: number) => number {
  return granularity === 'day' ? (ms) => floor(ms / MS_PER_DAY) * MS_PER_DAY : (ms) => ms;
}

/**
 * Turns raw transactions into per-customer calibration summaries (x, t_x, T, m_x) plus holdout
 * counts. Customers whose first purchase falls after the calibration end are left out: they
 * have no calibration history and would be scored as new customers. Output is sorted by
 * customer id so the result does not depend on input order.
 */
export function summariseTransactions(transactions: Iterable<Transaction>, options: SummariseOptions): CustomerSummary[] {
  const unitDays = options.timeUnitDays ?? 7;
  if (!(unitDays > 0)) throw new InvalidModelInputError(`timeUnitDays must be positive, got ${unitDays}`);
  const grid = gridOf(options.granularity ?? 'day');
  const unitMs = unitDays * MS_PER_DAY;
  const calibrationEnd = grid(options.calibrationEnd.getTime());
  const holdoutEnd = options.holdoutEnd ? grid(options.holdoutEnd.getTime()) : calibrationEnd;
  if (holdoutEnd < calibrationEnd) throw new InvalidModelInputError('holdoutEnd is before calibrationEnd');

  // Per customer: moment on the grid -> summed amount, so same-moment rows merge.
  const byCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    const ms = t.at.getTime();
    if (!isFiniteNumber(ms)) throw new InvalidModelInputError(`invalid date for customer ${t.customerId}`);
    if (!isFiniteNumber(t.amount)) throw new InvalidModelInputError(`invalid amount for customer ${t.customerId}`);
    const moment = grid(ms);
    if (moment > holdoutEnd) continue;
    let moments = byCustomer.get(t.customerId);
    if (!moments) {
      moments = new Map();
      byCustomer.set(t.customerId, moments);
    }
    moments.set(moment, (moments.get(moment) ?? 0) + t.amount);
  }

  const summaries: CustomerSummary[] = [];
  for (const [customerId, moments] of byCustomer) {
    const ordered = [...moments.entries()].sort((p, q) => p[0] - q[0]);
    const first = ordered[0];
    if (!first || first[0] > calibrationEnd) continue;
    let x = 0;
    let last = first[0];
    let repeatSpend = 0;
    let holdoutPurchases = 0;
    let holdoutSpend = 0;
    for (let i = 1; i < ordered.length; i++) {
      const entry = ordered[i];
      if (!entry) continue;
      const [moment, amount] = entry;
      if (moment <= calibrationEnd) {
        x++;
        last = moment;
        repeatSpend += amount;
      } else {
        holdoutPurchases++;
        holdoutSpend += amount;
      }
    }
    summaries.push({
      customerId,
      firstPurchaseAt: new Date(first[0]),
      x,
      tx: (last - first[0]) / unitMs,
      T: (calibrationEnd - first[0]) / unitMs,
      mx: x > 0 ? repeatSpend / x : 0,
      holdoutPurchases,
      holdoutSpend,
    });
  }
  return summaries.sort((p, q) => (p.customerId < q.customerId ? -1 : p.customerId > q.customerId ? 1 : 0));
}

/** Rejects summaries no model can score, with the offending field in the message. */
export function assertRecencyFrequency(c: RecencyFrequency): void {
  if (!(isIntegerNumber(c.x) && c.x >= 0)) throw new InvalidModelInputError(`x must be a non-negative integer, got ${c.x}`);
  if (!(isFiniteNumber(c.T) && c.T >= 0)) throw new InvalidModelInputError(`T must be finite and >= 0, got ${c.T}`);
  if (!(isFiniteNumber(c.tx) && c.tx >= 0 && c.tx <= c.T))
    throw new InvalidModelInputError(`tx must lie in [0, T], got tx=${c.tx}, T=${c.T}`);
}
