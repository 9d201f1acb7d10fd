import { InvalidModelInputError } from './scoring.errors';

export type ValueTier = 'A' | 'B' | 'C' | 'D';

/**
 * Upper bounds of cumulative value share for tiers A, B and C (D takes the rest), ranked from
 * the most valuable customer down.
 */
export interface TierThresholds {
  A: number;
  B: number;
  C: number;
}

/**
 * A: the customers who together make the top 50% of value; B: the next 30%; C: the next 15%;
 * D: the last 5% and everyone worth nothing. With the usual skew of customer value this puts a
 * few percent of customers in A, Peppers & Rogers' "most valuable customers", and leaves D as the
 * long tail where effort is rationed.
 */
export const defaultTierThresholds: TierThresholds = { A: 0.5, B: 0.8, C: 0.95 };

export interface ValuedCustomer {
  customerId: string;
  value: number;
}

export interface TierAssignment extends ValuedCustomer {
  tier: ValueTier;
  /** 1 for the most valuable customer; ties get consecutive ranks in customer-id order. */
  rank: number;
  /** Share of total value held by customers ranked strictly above this customer's value. */
  shareAbove: number;
}

export function assertTierThresholds(t: TierThresholds): void {
  if (!(t.A > 0 && t.A < t.B && t.B < t.C && t.C <= 1)) {
    throw new InvalidModelInputError(`tier thresholds must satisfy 0 < A < B < C <= 1, got A=${t.A}, B=${t.B}, C=${t.C}`);
  }
}

/** Negative, NaN or infinite values count as no value: they must not take share from others. */
function usableValue(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Assigns tiers by walking customers in descending value and looking at the share of total value
 * held by everyone strictly more valuable: a customer enters tier A while that share is below
 * threshold A, and so on. So A is the smallest top group reaching threshold A. Customers with equal
 * value always share a tier (the one the first of them gets): two identical customers treated
 * differently would be arbitrary. Order among equals is by customer id, so the result depends
 * only on the input set, not its order.
 *
 * Works as a fold over a value-sorted stream too: see {@link TierWalker}.
 */
export function assignValueTiers(
  customers: readonly ValuedCustomer[],
  thresholds: TierThresholds = defaultTierThresholds,
): TierAssignment[] {
  const total = customers.reduce((sum, c) => sum + usableValue(c.value), 0);
  const ordered = [...customers].sort(
    (p, q) => usableValue(q.value) - usableValue(p.value) || (p.customerId < q.customerId ? -1 : p.customerId > q.customerId ? 1 : 0),
  );
  const walker = new TierWalker(total, thresholds);
  return ordered.map((c) => walker.next(c));
}

/**
 * The streaming form of {@link assignValueTiers}: feed customers in descending value (ties by
 * customer id), with the population's total value known up front (one aggregate query), and no
 * customer needs to be held in memory.
 */
export class TierWalker {
  private cumulative = 0;
  private rank = 0;
  private previous: { value: number; tier: ValueTier; shareAbove: number } | undefined;

  constructor(
    private readonly totalValue: number,
    private readonly thresholds: TierThresholds = defaultTierThresholds,
  ) {
    assertTierThresholds(thresholds);
    if (!(Number.isFinite(totalValue) && totalValue >= 0))
      throw new InvalidModelInputError(`total value must be finite and >= 0, got ${totalValue}`);
  }

  next(customer: ValuedCustomer): TierAssignment {
    const value = usableValue(customer.value);
    if (this.previous && value > this.previous.value) throw new InvalidModelInputError('customers must arrive in descending value');
    this.rank++;
    let tier: ValueTier;
    let shareAbove: number;
    if (this.previous && value === this.previous.value) {
      ({ tier, shareAbove } = this.previous);
    } else {
      shareAbove = this.totalValue > 0 ? this.cumulative / this.totalValue : 1;
      tier = value === 0 ? 'D' : this.tierFor(shareAbove);
    }
    this.cumulative += value;
    this.previous = { value, tier, shareAbove };
    return { customerId: customer.customerId, value: customer.value, tier, rank: this.rank, shareAbove };
  }

  private tierFor(shareAbove: number): ValueTier {
    if (shareAbove < this.thresholds.A) return 'A';
    if (shareAbove < this.thresholds.B) return 'B';
    if (shareAbove < this.thresholds.C) return 'C';
    return 'D';
  }
}
