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
      fc.property(
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, x, u) => {
          const c = { x, tx: x === 0 ? 0 : u * 38, T: 38, mx: 20 };
          const plain = customerValue(model, c, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: 0 }).actualValue;
          const discounted = customerValue(model, c, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: rate }).actualValue;
          return discounted <= plain * (1 + 1e-12) && discounted >= (plain / Math.pow(1 + rate, 3)) * (1 - 1e-12);
        },
      ),
      { seed: 51, numRuns: 100 },
    );
  });

  it('grows with the horizon and works for a Pareto/NBD purchase model too', () => {
    const pareto: ValueModel = {
      purchases: { model: 'pareto-nbd', params: { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 } },
      spend: model.spend,
    };
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
    expect(() => customerValue(model, customer, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: -1 })).toThrow(
      InvalidModelInputError,
    );
  });

  describe('with any parameters, degenerate ones included (issue 18)', () => {
    const logUniform = (min: number, max: number) =>
      fc.double({ min: Math.log10(min), max: Math.log10(max), noNaN: true }).map((e) => 10 ** e);
    const parameters = fc.record({
      r: logUniform(0.01, 50),
      alpha: logUniform(0.01, 1000),
      a: logUniform(1e-10, 100),
      b: logUniform(1e-3, 1e6),
    });
    const customers = fc
      .record({
        x: fc.integer({ min: 0, max: 60 }),
        u: fc.double({ min: 0, max: 1, noNaN: true }),
        T: fc.double({ min: 0, max: 200, noNaN: true }),
        mx: fc.double({ min: 1, max: 500, noNaN: true }),
      })
      .map(({ x, u, T, mx }) => ({ x, tx: x === 0 ? 0 : u * T, T, mx }));

    it('E[Y(t)] itself never decreases month over month (the 2F1 no longer cancels), and the value stays within what the horizon allows', () => {
      fc.assert(
        fc.property(parameters, customers, fc.double({ min: 0, max: 0.3, noNaN: true }), (params, c, rate) => {
          const m: ValueModel = { purchases: { model: 'bg-nbd', params }, spend: model.spend };
          let previous = 0;
          for (let month = 1; month <= 36; month++) {
            const cumulative = bgNbdConditionalExpectedPurchases(params, c, (month / 12) * weeksPerYear);
            expect(Number.isFinite(cumulative)).toBe(true);
            expect(cumulative).toBeGreaterThanOrEqual(previous * (1 - 1e-9) - 1e-12);
            previous = cumulative;
          }
          const value = customerValue(m, c, { timeUnitsPerYear: weeksPerYear, annualDiscountRate: rate });
          const undiscounted = value.expectedPurchases * value.expectedSpend;
          expect(value.expectedPurchases).toBeCloseTo(previous, 9);
          expect(value.actualValue).toBeGreaterThanOrEqual(0);
          expect(value.actualValue).toBeLessThanOrEqual(undiscounted * (1 + 1e-12));
          expect(value.actualValue).toBeGreaterThanOrEqual((undiscounted / (1 + rate) ** 3) * (1 - 1e-12));
        }),
        { seed: 18, numRuns: 300 },
      );
    });

    it('the demo fit that valued customers at -6,337 EUR (a ≈ 2e-9, b ≈ 47,000: nobody drops out) gives the no-dropout purchase rate', () => {
      // With p ~ Beta(a, b) all but certainly 0, an alive customer buys at (r + x) / (alpha + T) a week.
      const params = { r: 0.8, alpha: 2, a: 2e-9, b: 47_000 };
      for (const c of [
        { x: 17, tx: 50, T: 52, mx: 75.8 },
        { x: 0, tx: 0, T: 3, mx: 0 },
        { x: 2, tx: 10, T: 40, mx: 30 },
      ]) {
        const t = 3 * weeksPerYear;
        const rate = (params.r + c.x) / (params.alpha + c.T);
        expect(bgNbdConditionalExpectedPurchases(params, c, t)).toBeCloseTo(bgNbdProbabilityAlive(params, c) * rate * t, 6);
        const value = customerValue({ purchases: { model: 'bg-nbd', params }, spend: model.spend }, c, { timeUnitsPerYear: weeksPerYear });
        expect(value.actualValue).toBeGreaterThan(0);
        expect(value.expectedPurchases).toBeCloseTo(bgNbdProbabilityAlive(params, c) * rate * t, 6);
      }
    });

    it('a fit on the boundary where everyone has the same dropout probability (a, b in the millions) gives the fixed-p expectation', () => {
      // p = a / (a + b) for all: E[Y(t) | alive] = (1 - (1 + p t / (alpha + T))^-(r + x)) / p.
      const params = { r: 0.81222, alpha: 11.0645, a: 5.078e6, b: 2.85508e7 };
      const p = params.a / (params.a + params.b);
      for (const c of [
        { x: 3, tx: 20, T: 40, mx: 50 },
        { x: 0, tx: 0, T: 1, mx: 0 },
        { x: 39, tx: 36, T: 52, mx: 50 },
      ]) {
        for (const t of [4, 52, 156]) {
          const alive = (1 - (1 + (p * t) / (params.alpha + c.T)) ** -(params.r + c.x)) / p;
          expect(bgNbdConditionalExpectedPurchases(params, c, t)).toBeCloseTo(bgNbdProbabilityAlive(params, c) * alive, 5);
        }
      }
    });
  });
});
