/**
 * Parameter-recovery benchmark: draws a synthetic population from known BG/NBD + Gamma-Gamma
 * parameters (a CDNOW-like design by default: weekly rates, 12 weeks of acquisition, a 39-week
 * calibration and a 39-week holdout), fits both models and prints recovered against true
 * parameters, relative errors, standard errors and timings.
 *
 *   node services/value-scoring/dist/cli/bench-fit.js [--customers 100000] [--seed 1] [--pareto]
 *
 * With --pareto it also draws a Pareto/NBD population of the same size and fits that model.
 */
import {
  BgNbdParams,
  bgNbdConditionalExpectedPurchases,
  fitBgNbd,
  fitGammaGamma,
  fitParetoNbd,
  GammaGammaParams,
  generateSyntheticPopulation,
  ParetoNbdParams,
  PurchaseModelParams,
  summariseTransactions,
} from '../scoring/domain';

// Published CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie's Gamma-Gamma note) as
// a realistic ground truth: sparse repeat buying, so a and b are the hard parameters.
const TRUE_BG_NBD: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const TRUE_GAMMA_GAMMA: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };
const TRUE_PARETO_NBD: ParetoNbdParams = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

const ACQUISITION_START = new Date('1997-01-01T00:00:00Z');
const ACQUISITION_END = new Date('1997-03-26T00:00:00Z');
const CALIBRATION_END = new Date('1997-09-30T00:00:00Z');
const HOLDOUT_END = new Date('1998-06-30T00:00:00Z');

function argument(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(name);
  const value = index >= 0 ? Number(argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function table(truth: object, fitted: object, standardErrors: object | undefined): string {
  const t = truth as Record<string, number>;
  const f = fitted as Record<string, number>;
  const se = (standardErrors ?? {}) as Record<string, number>;
  const rows = Object.keys(t).map((name) => {
    const trueValue = t[name] ?? Number.NaN;
    const fittedValue = f[name] ?? Number.NaN;
    const error = (fittedValue - trueValue) / trueValue;
    const stdError = se[name];
    return [
      name.padEnd(6),
      trueValue.toFixed(4).padStart(10),
      fittedValue.toFixed(4).padStart(10),
      `${(error * 100).toFixed(2)}%`.padStart(9),
      (stdError === undefined ? 'n/a' : stdError.toFixed(4)).padStart(9),
      (stdError === undefined ? 'n/a' : (Math.abs(fittedValue - trueValue) / stdError).toFixed(2)).padStart(8),
    ].join('  ');
  });
  return [
    `${'param'.padEnd(6)}  ${'true'.padStart(10)}  ${'fitted'.padStart(10)}  ${'rel.err'.padStart(9)}  ${'std.err'.padStart(9)}  ${'|err|/se'.padStart(8)}`,
    ...rows,
  ].join('\n');
}

function benchPurchases(label: string, purchases: PurchaseModelParams, customers: number, seed: number): void {
  let start = process.hrtime.bigint();
  const population = generateSyntheticPopulation({
    customers,
    seed,
    purchases,
    spend: TRUE_GAMMA_GAMMA,
    acquisitionStart: ACQUISITION_START,
    acquisitionEnd: ACQUISITION_END,
    calibrationEnd: CALIBRATION_END,
    holdoutEnd: HOLDOUT_END,
  });
  const generateSeconds = seconds(start);
  start = process.hrtime.bigint();
  // Exact timestamps: the generator works in continuous time, so day rounding would only blur it.
  const summaries = summariseTransactions(population.transactions, {
    calibrationEnd: CALIBRATION_END,
    holdoutEnd: HOLDOUT_END,
    granularity: 'exact',
  });
  const summariseSeconds = seconds(start);
  const repeaters = summaries.filter((s) => s.x > 0).length;
  console.log(`\n== ${label}: ${customers} customers, ${population.transactions.length} transactions, ${repeaters} with repeat purchases`);
  console.log(`generate ${generateSeconds.toFixed(2)} s, summarise ${summariseSeconds.toFixed(2)} s`);

  if (purchases.model === 'bg-nbd') {
    start = process.hrtime.bigint();
    const fit = fitBgNbd(summaries, { standardErrors: false });
    const fitSeconds = seconds(start);
    start = process.hrtime.bigint();
    const withErrors = fitBgNbd(summaries, { start: fit.params, standardErrors: true });
    const errorSeconds = seconds(start);
    console.log(
      `BG/NBD fit ${fitSeconds.toFixed(2)} s (${fit.evaluations} likelihood evaluations, converged=${fit.converged}), standard errors ${errorSeconds.toFixed(2)} s`,
    );
    console.log(`log-likelihood ${fit.logLikelihood.toFixed(3)}`);
    console.log(table(purchases.params, fit.params, withErrors.standardErrors));
    const holdoutLength = (HOLDOUT_END.getTime() - CALIBRATION_END.getTime()) / (7 * 86_400_000);
    const expected = summaries.reduce((sum, s) => sum + bgNbdConditionalExpectedPurchases(fit.params, s, holdoutLength), 0);
    const actual = summaries.reduce((sum, s) => sum + s.holdoutPurchases, 0);
    console.log(
      `holdout purchases: predicted ${expected.toFixed(0)}, actual ${actual} (${(((expected - actual) / actual) * 100).toFixed(2)}%)`,
    );

    start = process.hrtime.bigint();
    const spend = fitGammaGamma(summaries);
    console.log(
      `\nGamma-Gamma fit ${seconds(start).toFixed(2)} s incl. standard errors (${spend.customers} customers with x >= 1, converged=${spend.converged})`,
    );
    console.log(`log-likelihood ${spend.logLikelihood.toFixed(3)}`);
    console.log(table(TRUE_GAMMA_GAMMA, spend.params, spend.standardErrors));
    const mean = (p: GammaGammaParams) => (p.p * p.v) / (p.q - 1);
    console.log(`implied mean spend: true ${mean(TRUE_GAMMA_GAMMA).toFixed(3)}, fitted ${mean(spend.params).toFixed(3)}`);
  } else {
    start = process.hrtime.bigint();
    const fit = fitParetoNbd(summaries);
    console.log(
      `Pareto/NBD fit ${seconds(start).toFixed(2)} s incl. standard errors (${fit.evaluations} evaluations, converged=${fit.converged})`,
    );
    console.log(`log-likelihood ${fit.logLikelihood.toFixed(3)}`);
    console.log(table(purchases.params, fit.params, fit.standardErrors));
  }
}

function main(argv: readonly string[]): void {
  const customers = argument(argv, '--customers', 100_000);
  const seed = argument(argv, '--seed', 1);
  console.log(`node ${process.version}, seed ${seed}`);
  benchPurchases('BG/NBD + Gamma-Gamma', { model: 'bg-nbd', params: TRUE_BG_NBD }, customers, seed);
  if (argv.includes('--pareto')) benchPurchases('Pareto/NBD', { model: 'pareto-nbd', params: TRUE_PARETO_NBD }, customers, seed + 1);
}

main(process.argv.slice(2));
