import {
  ActiveModel,
  INTERIM_MODEL_VERSION,
  interimModel,
  recencyFrequency,
  strategicValueOf,
  tierFromCutoffs,
  valueCustomer,
} from './customer-valuation';
import { cdnowModel } from './cdnow-model.fixture';
import { purchaseHistory } from './purchase-history';

const settings = { horizonYears: 3, annualDiscountRate: 0.1, periodsPerYear: 12, currency: 'EUR' };
const fitted: ActiveModel = cdnowModel;
const history = (days: string[], amount = 30) =>
  purchaseHistory(
    days.map((d, i) => ({ orderId: `o${i}`, kind: 'purchase' as const, at: new Date(`${d}T10:00:00Z`), amount })),
    7,
  );

describe('valueCustomer', () => {
  const now = new Date('2024-06-01T08:00:00Z');

  it('says when the interim model scores, and values net revenue to date', () => {
    const v = valueCustomer(interimModel, history(['2024-01-01', '2024-02-01']), now, settings);
    expect(v.actualValue).toBe(60);
    expect(v.expectedYearlySpend).toBeUndefined();
    expect(v.reasons[0]).toContain(INTERIM_MODEL_VERSION);
  });

  it('measures T up to now in model units on the day grid', () => {
    expect(recencyFrequency(history(['2024-05-04', '2024-05-18']), now, 7)).toEqual({ x: 1, tx: 2, T: 4 });
  });

  it('gives frequent recent buyers more value than lapsed ones, with P(alive) in [0, 1]', () => {
    const recent = valueCustomer(fitted, history(['2024-01-06', '2024-02-03', '2024-03-02', '2024-04-06', '2024-05-25']), now, settings);
    const lapsed = valueCustomer(fitted, history(['2024-01-06', '2024-01-13', '2024-01-20', '2024-01-27', '2024-02-03']), now, settings);
    expect(recent.actualValue).toBeGreaterThan(lapsed.actualValue);
    for (const v of [recent, lapsed]) {
      expect(v.probabilityAlive).toBeGreaterThanOrEqual(0);
      expect(v.probabilityAlive).toBeLessThanOrEqual(1);
      expect(v.expectedYearlySpend).toBeGreaterThan(0);
    }
    expect(recent.reasons.join(' ')).toContain('v-test');
  });

  it('decays with time passing without purchases', () => {
    const h = history(['2024-01-06', '2024-02-03', '2024-03-02']);
    const soon = valueCustomer(fitted, h, new Date('2024-03-10T00:00:00Z'), settings);
    const later = valueCustomer(fitted, h, new Date('2025-03-10T00:00:00Z'), settings);
    expect(later.actualValue).toBeLessThan(soon.actualValue);
  });

  it('values a customer without purchase at 0 under a fitted model', () => {
    const v = valueCustomer(fitted, purchaseHistory([], 7), now, settings);
    expect(v).toMatchObject({ actualValue: 0, expectedYearlySpend: 0 });
  });
});

describe('tiers and strategic value', () => {
  it('places values against the walk cut-offs; nothing is D', () => {
    const cutoffs = { A: 100, B: 50, C: 10 };
    expect([150, 100, 60, 10, 9, 0, -5].map((v) => tierFromCutoffs(v, cutoffs))).toEqual(['A', 'A', 'B', 'C', 'D', 'D', 'D']);
  });

  it('is the discounted gap to the peer level, never negative, and explained', () => {
    const peer = { key: 'archetypes=family;breadth=2-3', level: 500, customers: 80 };
    const gap = strategicValueOf(200, peer, settings, 0.8);
    expect(gap.strategicValue).toBeCloseTo(300 * (1 / 1.1 + 1 / 1.21 + 1 / 1.331), 6);
    expect(gap.reason).toContain('80th percentile');
    expect(strategicValueOf(900, peer, settings, 0.8).strategicValue).toBe(0);
    expect(strategicValueOf(200, undefined, settings, 0.8).strategicValue).toBe(0);
    expect(strategicValueOf(undefined, peer, settings, 0.8).reason).toContain('interim');
  });
});
