import fc from 'fast-check';
import { summariseTransactions } from './customer-summary';
import {
  fitGammaGamma,
  gammaGammaConditionalExpectedSpend,
  gammaGammaLogLikelihood,
  gammaGammaPopulationMeanSpend,
  gammaGammaTotalLogLikelihood,
} from './gamma-gamma.model';
import { factorial, simpson } from './quadrature.test-helper';
import { InvalidModelInputError } from './scoring.errors';
import { generateSyntheticPopulation } from './synthetic-population';

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * Integral route with integer p·x and q so every Γ is a factorial: the mean of x Gamma(p, ν)
 * values has density Gamma(px, xν); ν ~ Gamma(q, v) is integrated numerically on ν = u/(1-u).
 */
function integralRoute(p: number, q: number, v: number, x: number, mx: number) {
  const px = p * x;
  const meanDensity = (nu: number) => (Math.pow(nu * x, px) * Math.pow(mx, px - 1) * Math.exp(-nu * x * mx)) / factorial(px - 1);
  const prior = (nu: number) => (Math.pow(v, q) * Math.pow(nu, q - 1) * Math.exp(-v * nu)) / factorial(q - 1);
  const overNu = (g: (nu: number) => number) => simpson((u) => (u <= 0 || u >= 1 ? 0 : g(u / (1 - u)) / ((1 - u) * (1 - u))), 0, 1, 40_000);
  const marginal = overNu((nu) => meanDensity(nu) * prior(nu));
  const posteriorMeanSpend = overNu((nu) => (p / nu) * meanDensity(nu) * prior(nu)) / marginal;
  return { marginal, posteriorMeanSpend };
}

describe('Gamma-Gamma', () => {
  it('likelihood equals the mixture integral over ν (integer case, factorials only)', () => {
    for (const [p, q, v, x, mx] of [
      [2, 3, 10, 3, 4.5],
      [1, 4, 25, 1, 12],
      [3, 2, 5, 5, 1.7],
    ] as const) {
      const route = integralRoute(p, q, v, x, mx);
      expect(relativeError(Math.exp(gammaGammaLogLikelihood({ p, q, v }, { x, mx })), route.marginal)).toBeLessThan(1e-8);
    }
  });

  it('conditional expected spend equals the posterior mean of p/ν', () => {
    for (const [p, q, v, x, mx] of [
      [2, 3, 10, 3, 4.5],
      [3, 2, 5, 5, 1.7],
    ] as const) {
      const route = integralRoute(p, q, v, x, mx);
      expect(relativeError(gammaGammaConditionalExpectedSpend({ p, q, v }, { x, mx }), route.posteriorMeanSpend)).toBeLessThan(1e-8);
    }
  });

  it('falls back to the population mean pv/(q-1) without spend history', () => {
    const params = { p: 6.25, q: 3.74, v: 15.44 };
    expect(gammaGammaConditionalExpectedSpend(params, { x: 0, mx: 0 })).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(() => gammaGammaPopulationMeanSpend({ p: 1, q: 0.9, v: 1 })).toThrow(InvalidModelInputError);
  });

  it('shrinks a customer’s own mean towards the population mean, less so as x grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.double({ min: 1.05, max: 20, noNaN: true }),
        fc.double({ min: 0.1, max: 500, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0.01, max: 10_000, noNaN: true }),
        (p, q, v, x, mx) => {
          const params = { p, q, v };
          const population = gammaGammaPopulationMeanSpend(params);
          const spend = gammaGammaConditionalExpectedSpend(params, { x, mx });
          const more = gammaGammaConditionalExpectedSpend(params, { x: x + 1, mx });
          const [low, high] = population < mx ? [population, mx] : [mx, population];
          const slack = 1e-9 * high;
          return spend >= low - slack && spend <= high + slack && Math.abs(more - mx) <= Math.abs(spend - mx) + slack;
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });

  it('ignores customers without repeat purchases when summing the likelihood', () => {
    const params = { p: 2, q: 3, v: 10 };
    const customers = [
      { x: 0, mx: 0 },
      { x: 2, mx: 5 },
      { x: 4, mx: 9 },
    ];
    const direct = gammaGammaLogLikelihood(params, { x: 2, mx: 5 }) + gammaGammaLogLikelihood(params, { x: 4, mx: 9 });
    expect(relativeError(gammaGammaTotalLogLikelihood(params, customers), direct)).toBeLessThan(1e-13);
  });

  describe('fit on a synthetic population', () => {
    const truth = { p: 6.25, q: 3.74, v: 15.44 };
    const population = generateSyntheticPopulation({
      customers: 5_000,
      seed: 99,
      purchases: { model: 'bg-nbd', params: { r: 0.8, alpha: 6, a: 0.7, b: 3.5 } },
      spend: truth,
      acquisitionStart: new Date('2020-01-01T00:00:00Z'),
      acquisitionEnd: new Date('2020-04-01T00:00:00Z'),
      calibrationEnd: new Date('2021-07-01T00:00:00Z'),
      holdoutEnd: new Date('2021-07-01T00:00:00Z'),
    });
    const summaries = summariseTransactions(population.transactions, {
      calibrationEnd: new Date('2021-07-01T00:00:00Z'),
      granularity: 'exact',
    });
    const fit = fitGammaGamma(summaries);

    it('reaches at least the likelihood of the true parameters', () => {
      expect(fit.converged).toBe(true);
      expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaTotalLogLikelihood(truth, summaries));
    });

    it('recovers p, q, v within four standard errors and the mean spend within 3%', () => {
      // q and v are strongly correlated (only pv/(q-1) is sharply identified), so their
      // individual SEs are wide; the implied population mean is the tight, useful check.
      const se = fit.standardErrors;
      expect(se).toBeDefined();
      for (const name of ['p', 'q', 'v'] as const) {
        expect(Math.abs(fit.params[name] - truth[name])).toBeLessThan(4 * (se?.[name] ?? 0));
      }
      expect(relativeError(gammaGammaPopulationMeanSpend(fit.params), gammaGammaPopulationMeanSpend(truth))).toBeLessThan(0.03);
    });
  });
});
