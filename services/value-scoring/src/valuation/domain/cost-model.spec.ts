import fc from 'fast-check';
import type { CostCounts } from '../../shared-kernel/domain';
import { addCounts, CostModel, costModelProblems, marginOf, MarginInputs } from './cost-model';
import type { ValuationSettings } from './customer-valuation';
import { discountedYears } from './peer-spend';

const settings: ValuationSettings = { horizonYears: 3, annualDiscountRate: 0.1, periodsPerYear: 12, currency: 'EUR' };
const prices: CostModel = {
  perOrder: 4,
  perReturn: 12,
  perServiceCall: 8,
  perContact: { email: 0.05, 'call-centre': 6 },
  perContactDefault: 0.5,
  perCustomerYear: 1,
};
const none: CostCounts = { returns: 0, serviceCalls: 0, contacts: {} };

const price = fc.double({ min: 0, max: 1000, noNaN: true });
const costModel = fc.record({
  perOrder: price,
  perReturn: price,
  perServiceCall: price,
  perContact: fc.dictionary(fc.constantFrom('email', 'sms', 'call-centre', 'mail'), price),
  perContactDefault: price,
  perCustomerYear: price,
});
const counts = fc.record({
  returns: fc.nat(50),
  serviceCalls: fc.nat(50),
  contacts: fc.dictionary(fc.constantFrom('email', 'sms', 'call-centre', 'web', 'dealer'), fc.nat(100)),
});
const inputs = fc.record({
  purchases: fc.nat(60),
  keptOrders: fc.nat(60),
  counts,
  tenureYears: fc.double({ min: 0, max: 10, noNaN: true }),
  grossValue: fc.double({ min: 0, max: 50_000, noNaN: true }),
  forecast: fc.option(
    fc.record({
      expectedPurchases: fc.double({ min: 0, max: 40, noNaN: true }),
      probabilityAlive: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { nil: undefined },
  ),
});
const withoutUndefined = (i: MarginInputs & { forecast?: MarginInputs['forecast'] | undefined }): MarginInputs => {
  const { forecast, ...rest } = i;
  // Kept orders are among the orders placed.
  const consistent = { ...rest, keptOrders: Math.min(rest.keptOrders, rest.purchases) };
  return forecast ? { ...consistent, forecast } : consistent;
};

describe('marginOf', () => {
  it('is revenue minus a cost to serve that is never negative, and equals revenue when everything is free', () => {
    fc.assert(
      fc.property(inputs, costModel, (raw, model) => {
        const i = withoutUndefined(raw);
        const m = marginOf(i, model, settings);
        expect(m.costToServe).toBeGreaterThanOrEqual(0);
        expect(m.actualValue).toBeCloseTo(i.grossValue - m.costToServe, 6);
        const parts = m.parts.orders + m.parts.returns + m.parts.serviceCalls + m.parts.contacts + m.parts.customer;
        expect(parts).toBeCloseTo(m.costToServe, 6);
        const free = marginOf(
          i,
          { perOrder: 0, perReturn: 0, perServiceCall: 0, perContact: {}, perContactDefault: 0, perCustomerYear: 0 },
          settings,
        );
        expect(free.actualValue).toBe(i.grossValue);
      }),
    );
  });

  it('never rises with one more return, service call or contact, nor with a higher price', () => {
    fc.assert(
      fc.property(inputs, costModel, fc.constantFrom('return', 'call', 'contact', 'price'), (raw, model, what) => {
        const i = withoutUndefined(raw);
        const before = marginOf(i, model, settings).actualValue;
        let after: number;
        if (what === 'price')
          after = marginOf(
            i,
            { ...model, perOrder: model.perOrder + 1, perReturn: model.perReturn + 1, perServiceCall: model.perServiceCall + 1 },
            settings,
          ).actualValue;
        else {
          const more: CostCounts =
            what === 'return'
              ? { ...i.counts, returns: i.counts.returns + 1 }
              : what === 'call'
                ? { ...i.counts, serviceCalls: i.counts.serviceCalls + 1 }
                : addCounts(i.counts, { returns: 0, serviceCalls: 0, contacts: { sms: 1 } });
          after = marginOf({ ...i, counts: more }, model, settings).actualValue;
        }
        expect(after).toBeLessThanOrEqual(before + 1e-9);
      }),
    );
  });

  it('puts a heavy returner below zero under the interim model: every order fulfilled, every one handled back', () => {
    // Three orders of 60, all refunded: net revenue 0; orders 3 x 4, returns 3 x 12, one service call 8, half a year on the books.
    const m = marginOf(
      { purchases: 3, keptOrders: 0, counts: { returns: 3, serviceCalls: 1, contacts: { email: 4 } }, tenureYears: 0.5, grossValue: 0 },
      prices,
      settings,
    );
    expect(m.costToServe).toBeCloseTo(3 * 4 + 3 * 12 + 8 + 4 * 0.05 + 0.5 * 1, 9);
    expect(m.actualValue).toBeLessThan(0);
    expect(m.reason).toContain('below zero');
  });

  it('prices contacts by channel, with the default for channels the model does not name', () => {
    const m = marginOf(
      { purchases: 0, keptOrders: 0, counts: { ...none, contacts: { 'call-centre': 2, dealer: 3 } }, tenureYears: 0, grossValue: 100 },
      prices,
      settings,
    );
    expect(m.parts.contacts).toBeCloseTo(2 * 6 + 3 * 0.5, 9);
    expect(m.actualValue).toBeCloseTo(100 - 13.5, 9);
  });

  it('under a fitted model follows the forecast: per-order costs scale with expected kept orders and the own return rate, yearly costs with probability alive', () => {
    // 4 orders placed, 2 sent back, 2 kept; 6 kept orders expected: so 12 placed and 6 returned.
    const base: MarginInputs = {
      purchases: 4,
      keptOrders: 2,
      counts: { returns: 2, serviceCalls: 0, contacts: {} },
      tenureYears: 2,
      grossValue: 500,
      forecast: { expectedPurchases: 6, probabilityAlive: 0.8 },
    };
    const m = marginOf(base, prices, settings);
    const meanDiscount = discountedYears(3, 0.1) / 3;
    expect(m.parts.orders).toBeCloseTo(12 * 4 * meanDiscount, 9);
    expect(m.parts.returns).toBeCloseTo(6 * 12 * meanDiscount, 9);
    expect(m.parts.customer).toBeCloseTo(1 * 0.8 * discountedYears(3, 0.1), 9);
    const doubled = marginOf({ ...base, forecast: { expectedPurchases: 12, probabilityAlive: 0.8 } }, prices, settings);
    expect(doubled.parts.orders).toBeCloseTo(2 * m.parts.orders, 9);
    const gone = marginOf({ ...base, forecast: { expectedPurchases: 6, probabilityAlive: 0 } }, prices, settings);
    expect(gone.parts.customer).toBe(0);
  });

  it('under a fitted model keeps a customer who sent everything back below zero: their costs run on per year', () => {
    const m = marginOf(
      {
        purchases: 5,
        keptOrders: 0,
        counts: { returns: 5, serviceCalls: 2, contacts: {} },
        tenureYears: 0.5,
        grossValue: 0,
        forecast: { expectedPurchases: 0, probabilityAlive: 1 },
      },
      prices,
      settings,
    );
    const years = discountedYears(3, 0.1);
    expect(m.parts.orders).toBeCloseTo(5 * 4 * years, 9);
    expect(m.parts.returns).toBeCloseTo(5 * 12 * years, 9);
    expect(m.parts.serviceCalls).toBeCloseTo(2 * 8 * years, 9);
    expect(m.actualValue).toBeLessThan(0);
  });
});

describe('addCounts', () => {
  it('adds counts channel by channel and is commutative', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const ab = addCounts(a, b);
        expect(ab).toEqual(addCounts(b, a));
        expect(ab.returns).toBe(a.returns + b.returns);
        for (const channel of new Set([...Object.keys(a.contacts), ...Object.keys(b.contacts)]))
          expect(ab.contacts[channel]).toBe((a.contacts[channel] ?? 0) + (b.contacts[channel] ?? 0));
      }),
    );
  });
});

describe('costModelProblems', () => {
  it('names each negative or non-finite price by its field', () => {
    expect(costModelProblems(prices)).toEqual([]);
    expect(costModelProblems({ ...prices, perReturn: -1, perContact: { sms: Number.NaN } })).toEqual(['perReturn', 'perContact.sms']);
  });
});
