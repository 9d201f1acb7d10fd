import { Transaction } from './customer-summary';
import { GammaGammaParams } from './gamma-gamma.model';
import { PurchaseModelParams } from './purchase-model';
import { InvalidModelInputError } from './scoring.errors';
import { SeededRandom } from '@o2o/random';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { max } = Math;
const { isInteger: isIntegerNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;

export interface SyntheticPopulationOptions {
  customers: number;
  seed: number;
  purchases: PurchaseModelParams;
  spend: GammaGammaParams;
  /** First purchases are spread uniformly over [acquisitionStart, acquisitionEnd). */
  acquisitionStart: Date;
  acquisitionEnd: Date;
  /** Only checked against the acquisition window; the draw itself runs to holdoutEnd. */
  calibrationEnd: Date;
  holdoutEnd: Date;
  /** The time unit the purchase parameters are expressed in, in days (7 = weekly rates). */
  timeUnitDays?: number;
  /** Prefix of the zero-padded customer ids, so ids sort in generation order. */
  idPrefix?: string;
}

/** The latent traits drawn for one customer: what a fit should recover on aggregate. */
export interface SyntheticCustomer {
  customerId: string;
  firstPurchaseAt: Date;
  /** Purchase rate per time unit while alive. */
  lambda: number;
  /** BG/NBD: dropout probability after each repeat purchase; Pareto/NBD: dropout rate μ. */
  dropout: number;
  /** Rate of the customer's transaction-value Gamma: mean value is p/ν. */
  spendRate: number;
}

export interface SyntheticPopulation {
  customers: SyntheticCustomer[];
  /** Ordered by customer, then time. Amounts are unrounded so spend statistics stay exact. */
  transactions: Transaction[];
}

const MS_PER_DAY = 86_400_000;

/**
 * Draws a population from known model parameters, deterministically from the seed: the ground
 * truth for parameter-recovery tests and the benchmark. Every customer buys at their
 * acquisition moment (the "trial" purchase BG/NBD does not count as a repeat) and then follows
 * the chosen process until holdoutEnd.
 */
export function generateSyntheticPopulation(options: SyntheticPopulationOptions): SyntheticPopulation {
  const unitMs = (options.timeUnitDays ?? 7) * MS_PER_DAY;
  const start = options.acquisitionStart.getTime();
  const acquisitionSpan = options.acquisitionEnd.getTime() - start;
  const end = options.holdoutEnd.getTime();
  if (!(isIntegerNumber(options.customers) && options.customers >= 0))
    throw new InvalidModelInputError('customers must be a non-negative integer');
  if (!(acquisitionSpan >= 0)) throw new InvalidModelInputError('acquisitionEnd is before acquisitionStart');
  if (options.acquisitionEnd.getTime() > options.calibrationEnd.getTime())
    throw new InvalidModelInputError('acquisition must end by calibrationEnd');
  if (options.calibrationEnd.getTime() > end) throw new InvalidModelInputError('holdoutEnd is before calibrationEnd');

  const random = new SeededRandom(options.seed);
  const width = String(max(1, options.customers)).length;
  const prefix = options.idPrefix ?? 'c';
  const customers: SyntheticCustomer[] = [];
  const transactions: Transaction[] = [];
  const { p, q, v } = options.spend;

  for (let i = 0; i < options.customers; i++) {
    const customerId = `${prefix}${String(i + 1).padStart(width, '0')}`;
    const birth = start + random.uniform() * acquisitionSpan;
    const purchases = options.purchases;
    const lambda = random.gamma(purchases.params.r, purchases.params.alpha);
    const dropout =
      purchases.model === 'bg-nbd'
        ? random.beta(purchases.params.a, purchases.params.b)
        : random.gamma(purchases.params.s, purchases.params.beta);
    const spendRate = random.gamma(q, v);
    customers.push({ customerId, firstPurchaseAt: new Date(birth), lambda, dropout, spendRate });

    const horizon = (end - birth) / unitMs;
    const lifetime = purchases.model === 'pareto-nbd' ? random.exponential(dropout) : INFINITY;
    transactions.push({ customerId, at: new Date(birth), amount: random.gamma(p, spendRate) });
    let t = 0;
    for (;;) {
      t += random.exponential(lambda);
      if (t > horizon || t > lifetime) break;
      transactions.push({ customerId, at: new Date(birth + t * unitMs), amount: random.gamma(p, spendRate) });
      if (purchases.model === 'bg-nbd' && random.chance(dropout)) break;
    }
  }
  return { customers, transactions };
}
