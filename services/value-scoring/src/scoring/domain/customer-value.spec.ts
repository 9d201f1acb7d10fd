import fc from 'fast-check';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive } from './bg-nbd.model';
import { customerValue, ValueModel } from './customer-value';
import { gammaGammaConditionalExpectedSpend } from './gamma-gamma.model';
import { InvalidModelInputError } from './scoring.errors';

const weeksPerYear = 365.25 / 7;
const bgNbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const model: ValueModel = {
  purchases: { model: 'bg-nbd', params: bgNbd },
  spend: { p: 6.25, q: 3.74, v: 15.44 },
};

describe('customerValue', () => {
  const customer = { x: 4, tx: 30, T: 38, mx: 42 };

  it('without discounting is expected purchases over the horizon times expected spend', () => {
    const value = customerValue(model, customer, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: 0 });
    const purchases = bgNbdConditionalExpectedPurchases(bgNbd, customer, 3 * weeksPerYear);
    const spend = gammaGammaConditionalExpectedSpend(model.spend, customer);
    expect(value.expectedPurchases).toBeCloseTo(purchases, 12);
    expect(value.expectedSpend).toBeCloseTo(spend, 12);
    expect(value.actualValue).toBeCloseTo(purchases * spend, 9);
    expect(value.probabilityAlive).toBeCloseTo(bgNbdProbabilityAlive(bgNbd, customer), 15);
  });

  it('discounting lowers value, but never below the whole horizon discounted at its end', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (rate, x, u) => {
        const c = { x, tx: x === 0 ? 0 : u * 38, T: 38, mx: 20 };
        const plain = customerValue(model, c, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: 0 }).actualValue;
        const discounted = customerValue(model, c, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: rate }).actualValue;
        return discounted <= plain * (1 + 1e-12) && discounted >= (plain / Math.pow(1 + rate, 3)) * (1 - 1e-12);
      }),
      { seed: 51, numRuns: 100 },
    );
  });

  it('grows with the horizon and works for a Pareto/NBD purchase model too', () => {
    const pareto: ValueModel = { purchases: { model: 'pareto-nbd', params: { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 } }, spend: model.spend };
    for (const m of [model, pareto]) {
      const one = customerValue(m, customer, { timeUnitsPerYear: weeksPerYear, horizonYears: 1 });
      const three = customerValue(m, customer, { timeUnitsPerYear: weeksPerYear, horizonYears: 3 });
      const partial = customerValue(m, customer, { timeUnitsPerYear: weeksPerYear, horizonYears: 2.5 });
      expect(one.actualValue).toBeGreaterThan(0);
      expect(partial.actualValue).toBeGreaterThan(one.actualValue);
      expect(three.actualValue).toBeGreaterThan(partial.actualValue);
    }
  });

  it('rejects nonsensical options', () => {
    expect(() => customerValue(model, customer, { timeUnitsPerYear: 0 })).toThrow(InvalidModelInputError);
    expect(() => customerValue(model, customer, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: -1 })).toThrow(InvalidModelInputError);
  });
});
