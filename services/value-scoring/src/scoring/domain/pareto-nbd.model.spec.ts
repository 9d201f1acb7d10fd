import fc from 'fast-check';
import { RecencyFrequency, summariseTransactions } from './customer-summary';
import {
  fitParetoNbd,
  ParetoNbdParams,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
} from './pareto-nbd.model';
import { risingFactorial, tanhSinh } from './quadrature.test-helper';
import { generateSyntheticPopulation } from './synthetic-population';

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** ∫_from^∞ g on the substitution u = from + w/(1-w), which maps it onto (0, 1). */
function overHalfLine(g: (u: number) => number, from = 0): number {
  return tanhSinh((w) => g(from + w / (1 - w)) / ((1 - w) * (1 - w)), 0, 1);
}

/** E[g(μ)] for μ ~ Gamma(s, β), normalised numerically so no Γ(s) is needed. */
function overGammaPrior(s: number, beta: number, g: (mu: number) => number): number {
  const integrate = (h: (mu: number) => number) => overHalfLine((mu) => h(mu) * Math.pow(mu, s - 1) * Math.exp(-beta * mu));
  return integrate(g) / integrate(() => 1);
}

/**
 * Integral route: the likelihood is Γ(r+x)α^rβ^s/Γ(r) · [(α+T)^-(r+x)(β+T)^-s + s(I(t_x) - I(T))]
 * with I(y) = ∫_y^∞ (α+u)^-(r+x)(β+u)^-(s+1) du (from 1/(λ+μ) = ∫ e^{-(λ+μ)u} du), integrated
 * numerically here instead of through 2F1.
 */
function integralRoute(params: ParetoNbdParams, c: RecencyFrequency) {
  const { r, alpha, s, beta } = params;
  const { x, tx, T } = c;
  const I = (y: number) => overHalfLine((u) => Math.pow(alpha + u, -(r + x)) * Math.pow(beta + u, -(s + 1)), y);
  const prefix = risingFactorial(r, x) * Math.pow(alpha, r) * Math.pow(beta, s);
  const aliveTerm = Math.pow(alpha + T, -(r + x)) * Math.pow(beta + T, -s);
  const likelihood = prefix * (aliveTerm + s * (I(tx) - I(T)));
  const expected = (t: number) => {
    const lambdaPart = (risingFactorial(r, x + 1) * Math.pow(alpha, r)) / Math.pow(alpha + T, r + x + 1);
    const muPart = overGammaPrior(s, beta, (mu) => (-Math.expm1(-mu * t) / mu) * Math.exp(-mu * T));
    return (lambdaPart * muPart) / likelihood;
  };
  return { likelihood, probabilityAlive: (prefix * aliveTerm) / likelihood, expected };
}

describe('Pareto/NBD', () => {
  // Both branches of the closed form: alpha >= beta and alpha < beta.
  const parameterSets: ParetoNbdParams[] = [
    { r: 1.2, alpha: 8, s: 1.5, beta: 3 },
    { r: 0.9, alpha: 2, s: 2.5, beta: 12 },
  ];
  const customers: RecencyFrequency[] = [
    { x: 0, tx: 0, T: 10 },
    { x: 2, tx: 4, T: 10 },
    { x: 6, tx: 9.5, T: 20 },
  ];

  it.each(parameterSets)('likelihood and P(alive) match the integral route (%p)', (params) => {
    for (const c of customers) {
      const route = integralRoute(params, c);
      expect(relativeError(Math.exp(paretoNbdLogLikelihood(params, c)), route.likelihood)).toBeLessThan(1e-10);
      expect(relativeError(paretoNbdProbabilityAlive(params, c), route.probabilityAlive)).toBeLessThan(1e-10);
    }
  });

  it.each(parameterSets)('conditional expected purchases match the posterior integral (%p)', (params) => {
    for (const c of customers) {
      const route = integralRoute(params, c);
      for (const t of [1, 26]) {
        expect(relativeError(paretoNbdConditionalExpectedPurchases(params, c, t), route.expected(t))).toBeLessThan(1e-10);
      }
    }
  });

  it('E[X(t)] is r/alpha times the mean of (1 - e^{-μt})/μ over Gamma(s, beta)', () => {
    const { r, alpha, s, beta } = { r: 0.55, alpha: 10.6, s: 0.61, beta: 11.7 };
    for (const t of [1, 39, 200]) {
      const expected = (r / alpha) * overGammaPrior(s, beta, (mu) => -Math.expm1(-mu * t) / mu);
      expect(relativeError(paretoNbdExpectedPurchases({ r, alpha, s, beta }, t), expected)).toBeLessThan(1e-9);
      // Schmittlein, Morrison & Colombo's closed form, written out directly.
      const published = ((r * beta) / (alpha * (s - 1))) * (1 - Math.pow(beta / (beta + t), s - 1));
      expect(relativeError(paretoNbdExpectedPurchases({ r, alpha, s, beta }, t), published)).toBeLessThan(1e-12);
    }
  });

  it('handles s = 1, where the closed form divides by s - 1', () => {
    const params = { r: 0.8, alpha: 5, s: 1, beta: 7 };
    const c = { x: 3, tx: 8, T: 12 };
    const near =
      (paretoNbdConditionalExpectedPurchases({ ...params, s: 1 - 1e-6 }, c, 20) +
        paretoNbdConditionalExpectedPurchases({ ...params, s: 1 + 1e-6 }, c, 20)) /
      2;
    expect(relativeError(paretoNbdConditionalExpectedPurchases(params, c, 20), near)).toBeLessThan(1e-9);
  });

  const paramsArb = fc.record({
    r: fc.double({ min: 0.05, max: 5, noNaN: true }),
    alpha: fc.double({ min: 0.1, max: 50, noNaN: true }),
    s: fc.double({ min: 0.05, max: 5, noNaN: true }),
    beta: fc.double({ min: 0.1, max: 50, noNaN: true }),
  });

  it('P(alive) lies in [0, 1], is 1 right after a purchase and falls as the recency gap grows', () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0.5, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, x, T, u) => {
          const tx = x === 0 ? 0 : u * T;
          const alive = paretoNbdProbabilityAlive(p, { x, tx, T });
          const justBought = x === 0 ? 1 : paretoNbdProbabilityAlive(p, { x, tx: T, T });
          const staler = x === 0 ? alive : paretoNbdProbabilityAlive(p, { x, tx: tx / 2, T });
          return alive >= 0 && alive <= 1 && justBought === 1 && staler <= alive * (1 + 1e-9);
        },
      ),
      { seed: 31, numRuns: 200 },
    );
  });

  it('expected purchases grow with frequency at t_x = T', () => {
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 0, max: 50 }), fc.double({ min: 0.5, max: 200, noNaN: true }), (p, x, T) => {
        const fewer = paretoNbdConditionalExpectedPurchases(p, { x, tx: x === 0 ? 0 : T, T }, 52);
        const more = paretoNbdConditionalExpectedPurchases(p, { x: x + 1, tx: T, T }, 52);
        return more >= fewer * (1 - 1e-9);
      }),
      { seed: 32, numRuns: 200 },
    );
  });

  describe('fit on a synthetic population', () => {
    const truth = { r: 0.9, alpha: 7, s: 0.8, beta: 12 };
    const population = generateSyntheticPopulation({
      customers: 3_000,
      seed: 5,
      purchases: { model: 'pareto-nbd', params: truth },
      spend: { p: 6, q: 4, v: 15 },
      acquisitionStart: new Date('2020-01-01T00:00:00Z'),
      acquisitionEnd: new Date('2020-04-01T00:00:00Z'),
      calibrationEnd: new Date('2021-07-01T00:00:00Z'),
      holdoutEnd: new Date('2021-07-01T00:00:00Z'),
    });
    const summaries = summariseTransactions(population.transactions, {
      calibrationEnd: new Date('2021-07-01T00:00:00Z'),
      granularity: 'exact',
    });
    const fit = fitParetoNbd(summaries);

    it('recovers the generating parameters within four standard errors', () => {
      expect(fit.converged).toBe(true);
      const se = fit.standardErrors;
      expect(se).toBeDefined();
      for (const name of ['r', 'alpha', 's', 'beta'] as const) {
        expect(Math.abs(fit.params[name] - truth[name])).toBeLessThan(4 * (se?.[name] ?? 0));
        expect((se?.[name] ?? Infinity) / truth[name]).toBeLessThan(0.35);
      }
    });
  });
});
