import { RecencyFrequency, SpendSummary } from './customer-summary';
import { GammaGammaParams, gammaGammaConditionalExpectedSpend } from './gamma-gamma.model';
import { conditionalExpectedPurchases, PurchaseModelParams, probabilityAlive } from './purchase-model';
import { InvalidModelInputError } from './scoring.errors';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { ceil, exp, log1p, max, min } = Math;
const { isFinite: isFiniteNumber, isInteger: isIntegerNumber } = Number;

export interface ValueModel {
  purchases: PurchaseModelParams;
  spend: GammaGammaParams;
}

export interface CustomerValueOptions {
  /** How many of the models' time units make a year: 365.25 / 7 for weekly fits, 365.25 for daily. */
  timeUnitsPerYear: number;
  /** Default 3: the usual "actual value" horizon, long enough to matter, short enough to trust. */
  horizonYears?: number;
  /**
   * Default 0.10 a year: a typical cost of capital; published CLV studies use 10-15%
   * (lifetimes' monthly 1% default is about 12.7% a year).
   */
  annualDiscountRate?: number;
  /** Cash flows are taken at the end of each period; default 12 (monthly). */
  periodsPerYear?: number;
}

export interface CustomerValue {
  /** Expected purchases over the horizon, undiscounted. */
  expectedPurchases: number;
  probabilityAlive: number;
  /** Expected value of each future purchase (Gamma-Gamma conditional mean). */
  expectedSpend: number;
  /** Discounted expected spend over the horizon: the customer's actual value. */
  actualValue: number;
}

export const defaultValueHorizon = { horizonYears: 3, annualDiscountRate: 0.1, periodsPerYear: 12 } as const;

/**
 * Actual value = Σ over periods k of (E[Y(t_k)] - E[Y(t_{k-1})]) · E[spend] / (1+d)^(k/periodsPerYear),
 * the period-sum form of discounted expected residual lifetime value. Each increment is >= 0 and
 * they add up to E[Y(horizon)], so the value lies between that total discounted at the horizon's
 * end and undiscounted, times the expected spend. Summing per period rather
 * than integrating a closed form keeps it valid for any purchase model, at the cost of one
 * expectation per period (36 for the defaults).
 */
export function customerValue(model: ValueModel, customer: RecencyFrequency & SpendSummary, options: CustomerValueOptions): CustomerValue {
  const horizonYears = options.horizonYears ?? defaultValueHorizon.horizonYears;
  const rate = options.annualDiscountRate ?? defaultValueHorizon.annualDiscountRate;
  const periodsPerYear = options.periodsPerYear ?? defaultValueHorizon.periodsPerYear;
  if (!(options.timeUnitsPerYear > 0 && isFiniteNumber(options.timeUnitsPerYear)))
    throw new InvalidModelInputError('timeUnitsPerYear must be positive');
  if (!(horizonYears > 0 && isFiniteNumber(horizonYears))) throw new InvalidModelInputError('horizonYears must be positive');
  if (!(rate > -1 && isFiniteNumber(rate))) throw new InvalidModelInputError('annualDiscountRate must be greater than -1');
  if (!(isIntegerNumber(periodsPerYear) && periodsPerYear > 0))
    throw new InvalidModelInputError('periodsPerYear must be a positive integer');

  const expectedSpend = gammaGammaConditionalExpectedSpend(model.spend, customer);
  const periods = ceil(horizonYears * periodsPerYear - 1e-9);
  const logDiscountPerPeriod = log1p(rate) / periodsPerYear;
  // E[Y(t)] is non-decreasing in t and E[Y(horizon)] is what the model says for the horizon: a
  // period's increment is never negative and they add up to exactly that total. The 2F1 behind
  // E[Y(t)] is now accurate where it used to cancel catastrophically (hypergeometric-2f1.ts), so
  // the bounds below only absorb rounding; a total that is not a finite non-negative number is a
  // model fault and is refused rather than valued.
  const checked = (years: number): number => {
    const value = conditionalExpectedPurchases(model.purchases, customer, years * options.timeUnitsPerYear);
    if (!(isFiniteNumber(value) && value >= 0)) {
      throw new InvalidModelInputError(
        `expected purchases within ${years} years came out ${value}: the purchase model cannot value this customer`,
      );
    }
    return value;
  };
  const horizonTotal = checked(horizonYears);
  let previous = 0;
  let discountedPurchases = 0;
  for (let k = 1; k <= periods; k++) {
    // The last period may be partial when the horizon is not a whole number of periods.
    const years = min(k / periodsPerYear, horizonYears);
    const cumulative = k === periods ? horizonTotal : min(max(checked(years), previous), horizonTotal);
    discountedPurchases += (cumulative - previous) * exp(-logDiscountPerPeriod * k);
    previous = cumulative;
  }
  return {
    expectedPurchases: previous,
    probabilityAlive: probabilityAlive(model.purchases, customer),
    expectedSpend,
    actualValue: discountedPurchases * expectedSpend,
  };
}
