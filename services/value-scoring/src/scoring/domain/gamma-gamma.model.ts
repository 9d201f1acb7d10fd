import { SpendSummary } from './customer-summary';
import { logParameterStandardErrors, minimizeNelderMead, MinimizeOptions } from './nelder-mead.optimizer';
import { InvalidModelInputError } from './scoring.errors';
import { logGamma } from './special-functions';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { abs, exp, log, log1p } = Math;
const { isFinite: isFiniteNumber, isInteger: isIntegerNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;

/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999):
 * each transaction's value is Gamma(p, ν) and a customer's ν is Gamma(q, v), so the mean
 * transaction value of a customer is pv/(q-1) on average across customers. It assumes spend
 * is independent of purchase frequency, which is worth checking on real data (correlation of
 * x and m_x) before trusting the monetary part of CLV.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  /** Rate of the Gamma prior on ν, in currency units (γ in the paper, v in most tools). */
  v: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  standardErrors?: GammaGammaParams;
  /** Customers with x >= 1 and m_x > 0: the only ones that carry spend information. */
  customers: number;
  evaluations: number;
  converged: boolean;
}

export function assertGammaGammaParams(params: GammaGammaParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (!(isFiniteNumber(value) && value > 0))
      throw new InvalidModelInputError(`Gamma-Gamma parameter ${name} must be positive, got ${value}`);
  }
}

function assertSpend(s: SpendSummary): void {
  if (!(isIntegerNumber(s.x) && s.x >= 1)) throw new InvalidModelInputError(`Gamma-Gamma needs x >= 1 repeat purchases, got ${s.x}`);
  if (!(isFiniteNumber(s.mx) && s.mx > 0)) throw new InvalidModelInputError(`Gamma-Gamma needs a positive mean spend, got ${s.mx}`);
}

/** Whether a summary carries spend information the model can use. */
export function hasSpendInformation(s: SpendSummary): boolean {
  return isIntegerNumber(s.x) && s.x >= 1 && isFiniteNumber(s.mx) && s.mx > 0;
}

/**
 * ln f(m_x | x): the mean of x Gamma(p, ν) values is Gamma(px, νx); integrating ν over
 * Gamma(q, v) gives Γ(px+q)/(Γ(px)Γ(q)) · v^q · m_x^(px-1) · x^(px) / (v + x·m_x)^(px+q).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, s: SpendSummary): number {
  assertGammaGammaParams(params);
  assertSpend(s);
  const { p, q, v } = params;
  const px = p * s.x;
  return logGamma(px + q) - logGamma(px) - logGamma(q) + q * log(v) + (px - 1) * log(s.mx) + px * log(s.x) - (px + q) * log(v + s.x * s.mx);
}

export function gammaGammaTotalLogLikelihood(params: GammaGammaParams, customers: readonly SpendSummary[]): number {
  return -negativeLogLikelihood(prepare(customers), [log(params.p), log(params.q), log(params.v)]);
}

/** Mean transaction value of a customer with no spend history: E[pν⁻¹] = pv/(q-1), finite for q > 1. */
export function gammaGammaPopulationMeanSpend(params: GammaGammaParams): number {
  assertGammaGammaParams(params);
  if (params.q <= 1) throw new InvalidModelInputError(`Gamma-Gamma mean spend is infinite for q <= 1 (q = ${params.q})`);
  return (params.p * params.v) / (params.q - 1);
}

/**
 * E[Z | p, q, v, m_x, x] = p(v + x·m_x)/(px + q - 1): a weighted mean of the population mean
 * and the customer's own m_x, leaning on the latter as x grows. Without spend information it
 * is the population mean.
 */
export function gammaGammaConditionalExpectedSpend(params: GammaGammaParams, s: SpendSummary): number {
  if (!hasSpendInformation(s)) return gammaGammaPopulationMeanSpend(params);
  if (params.q <= 1) throw new InvalidModelInputError(`Gamma-Gamma mean spend is infinite for q <= 1 (q = ${params.q})`);
  return (params.p * (params.v + s.x * s.mx)) / (params.p * s.x + params.q - 1);
}

interface PreparedSpend {
  x: Float64Array;
  logMx: Float64Array;
  logX: Float64Array;
  xMx: Float64Array;
  sumLogMx: number;
}

function prepare(customers: readonly SpendSummary[]): PreparedSpend {
  const usable = customers.filter(hasSpendInformation);
  const data: PreparedSpend = {
    x: new Float64Array(usable.length),
    logMx: new Float64Array(usable.length),
    logX: new Float64Array(usable.length),
    xMx: new Float64Array(usable.length),
    sumLogMx: 0,
  };
  usable.forEach((s, i) => {
    data.x[i] = s.x;
    data.logMx[i] = log(s.mx);
    data.logX[i] = log(s.x);
    data.xMx[i] = s.x * s.mx;
    data.sumLogMx += log(s.mx);
  });
  return data;
}

const LOG_PARAMETER_BOUND = 30;

function negativeLogLikelihood(data: PreparedSpend, theta: readonly number[]): number {
  if (theta.some((t) => !(abs(t) <= LOG_PARAMETER_BOUND))) return INFINITY;
  const [p, q, v] = theta.map(exp) as [number, number, number];
  const constant = q * log(v) - logGamma(q);
  const logV = log(v);
  let total = 0;
  // lnΓ(px+q) - lnΓ(px) depends on x only; x repeats heavily, so cache it per evaluation.
  const cache = new Map<number, number>();
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i] ?? 1;
    let gammaTerms = cache.get(x);
    if (gammaTerms === undefined) {
      gammaTerms = logGamma(p * x + q) - logGamma(p * x);
      cache.set(x, gammaTerms);
    }
    const px = p * x;
    const logDenominator = logV + log1p((data.xMx[i] ?? 0) / v);
    total += gammaTerms + constant + (px - 1) * (data.logMx[i] ?? 0) + px * (data.logX[i] ?? 0) - (px + q) * logDenominator;
  }
  return -total;
}

export interface GammaGammaFitOptions extends MinimizeOptions {
  start?: GammaGammaParams;
  standardErrors?: boolean;
}

/** Maximum-likelihood fit of (p, q, v) on customers with at least one repeat purchase. */
export function fitGammaGamma(customers: readonly SpendSummary[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const data = prepare(customers);
  const n = data.x.length;
  if (n === 0) throw new InvalidModelInputError('cannot fit Gamma-Gamma without customers having x >= 1 and m_x > 0');
  // v carries the currency's scale: with p = 1, q = 2 the implied mean spend pv/(q-1) equals v,
  // so starting v at the customers' typical spend works for cents and for millions alike.
  const meanSpend = exp(data.sumLogMx / n);
  const start = options.start ?? { p: 1, q: 2, v: meanSpend };
  const theta0 = [start.p, start.q, start.v].map(log);
  const result = minimizeNelderMead((theta) => negativeLogLikelihood(data, theta) / n, theta0, options);
  const [p, q, v] = result.x.map(exp) as [number, number, number];
  const fit: GammaGammaFit = {
    params: { p, q, v },
    logLikelihood: -negativeLogLikelihood(data, result.x),
    customers: n,
    evaluations: result.evaluations,
    converged: result.converged,
  };
  if (options.standardErrors !== false) {
    const se = logParameterStandardErrors((theta) => negativeLogLikelihood(data, theta), result.x);
    if (se) {
      const [sp, sq, sv] = se as [number, number, number];
      fit.standardErrors = { p: p * sp, q: q * sq, v: v * sv };
    }
  }
  return fit;
}
