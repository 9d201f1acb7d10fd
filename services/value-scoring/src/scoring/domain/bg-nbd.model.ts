import { assertRecencyFrequency, RecencyFrequency } from './customer-summary';
import { hyp2f1, HypergeometricConvergenceError } from './hypergeometric-2f1';
import { logParameterStandardErrors, minimizeNelderMead, MinimizeOptions } from './nelder-mead.optimizer';
import { InvalidModelInputError } from './scoring.errors';
import { logAddExp, logBeta, logGamma, oneMinusPowOverExponent } from './special-functions';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { abs, exp, log } = Math;
const { isFinite: isFiniteNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while active a
 * customer buys as a Poisson process with rate λ ~ Gamma(r, alpha); after each repeat purchase
 * they drop out with probability p ~ Beta(a, b).
 */
export interface BgNbdParams {
  r: number;
  /** Rate (inverse scale) of the purchase-rate distribution, in the summaries' time unit. */
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  /** Approximate standard errors from the observed information; absent when it is singular. */
  standardErrors?: BgNbdParams;
  customers: number;
  evaluations: number;
  converged: boolean;
}

export function assertBgNbdParams(params: BgNbdParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (!(isFiniteNumber(value) && value > 0)) throw new InvalidModelInputError(`BG/NBD parameter ${name} must be positive, got ${value}`);
  }
}

/** ln L_i (FHL 2005 eq. 6), written as one term plus a log-sum so neither branch overflows. */
export function bgNbdLogLikelihood(params: BgNbdParams, customer: RecencyFrequency): number {
  assertBgNbdParams(params);
  assertRecencyFrequency(customer);
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  const logAlphaT = log(alpha + T);
  let value = logGamma(r + x) - logGamma(r) + r * log(alpha) - (r + x) * logAlphaT + logBeta(a, b + x) - logBeta(a, b);
  if (x > 0) value += logAddExp(0, log(a / (b + x - 1)) + (r + x) * (logAlphaT - log(alpha + tx)));
  return value;
}

export function bgNbdTotalLogLikelihood(params: BgNbdParams, customers: readonly RecencyFrequency[]): number {
  const data = prepare(customers);
  return -negativeLogLikelihood(data, [log(params.r), log(params.alpha), log(params.a), log(params.b)]);
}

/**
 * ln of the odds that a customer has dropped out: ln[a/(b+x-1) · ((alpha+T)/(alpha+tx))^(r+x)],
 * -Infinity for x = 0 (BG/NBD customers cannot drop out before their first repeat purchase).
 */
function logDropoutOdds(params: BgNbdParams, c: RecencyFrequency): number {
  if (c.x === 0) return -INFINITY;
  const { r, alpha, a, b } = params;
  return log(a / (b + c.x - 1)) + (r + c.x) * (log(alpha + c.T) - log(alpha + c.tx));
}

/** P(alive | x, t_x, T) (FHL 2005 eq. 11 in its logistic form). */
export function bgNbdProbabilityAlive(params: BgNbdParams, customer: RecencyFrequency): number {
  assertBgNbdParams(params);
  assertRecencyFrequency(customer);
  return logistic(-logDropoutOdds(params, customer));
}

function logistic(u: number): number {
  return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u));
}

/**
 * E[Y(t) | x, t_x, T] (FHL 2005 eq. 10). We apply Euler's transformation to the paper's
 * ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z), which equals
 * (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z) with z = t/(α+T+t): the paper's form multiplies a
 * vanishing power by a 2F1 that grows like (1-z)^-(r+x) for frequent buyers, while the
 * transformed one has x only in c, where it speeds convergence up.
 */
export function bgNbdConditionalExpectedPurchases(params: BgNbdParams, customer: RecencyFrequency, t: number): number {
  assertBgNbdParams(params);
  assertRecencyFrequency(customer);
  if (!(isFiniteNumber(t) && t >= 0)) throw new InvalidModelInputError(`t must be finite and >= 0, got ${t}`);
  if (t === 0) return 0;
  return expectedIfAlive(params, customer, t) * logistic(-logDropoutOdds(params, customer));
}

/** E[X(t)] for a customer just acquired: the conditional expectation at x = t_x = T = 0. */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number): number {
  return bgNbdConditionalExpectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}

/** a = 1 is a removable singularity of (a+b+x-1)/(a-1) · [...]; this is how close we evaluate. */
const A_NEAR_ONE = 1e-6;

function expectedIfAlive(params: BgNbdParams, c: RecencyFrequency, t: number): number {
  if (abs(params.a - 1) >= A_NEAR_ONE) return expectedIfAliveAwayFromOne(params, c, t);
  // The expression is smooth in a: a line through two well-conditioned neighbours is O(h²) off.
  const below = expectedIfAliveAwayFromOne({ ...params, a: 1 - A_NEAR_ONE }, c, t);
  const above = expectedIfAliveAwayFromOne({ ...params, a: 1 + A_NEAR_ONE }, c, t);
  return below + ((above - below) * (params.a - (1 - A_NEAR_ONE))) / (2 * A_NEAR_ONE);
}

/**
 * Which form is well conditioned depends on a - 1 - (r + x), the excess c - a - b of the paper's
 * 2F1(r+x, b+x; a+b+x-1; z). Below zero (the usual fits, and frequent buyers) the paper's 2F1
 * grows like (1-z)^-(r+x) and the Euler-transformed form is the good one. Well above zero (a
 * large a: fits on the boundary where every customer has the same dropout probability, a and b
 * both in the millions) it is the other way round: the transformed series' terms grow for about
 * a·z/(1-z) terms before they fall (a million-term sum per call), while the paper's converges
 * at z = 1 and its series in a few terms. Either falls back to the other where it fails.
 */
function expectedIfAliveAwayFromOne(params: BgNbdParams, c: RecencyFrequency, t: number): number {
  const paperFirst = params.a - 1 - params.r - c.x > 1;
  const first = paperFirst ? paperExpectation(params, c, t) : eulerTransformedExpectation(params, c, t);
  if (isFiniteNumber(first) && first >= 0) return first;
  return paperFirst ? eulerTransformedExpectation(params, c, t) : paperExpectation(params, c, t);
}

/** FHL 2005 eq. 10 as printed (without the P(alive) factor); NaN where its 2F1 does not converge. */
function paperExpectation(params: BgNbdParams, c: RecencyFrequency, t: number): number {
  const { r, alpha, a, b } = params;
  const { x, T } = c;
  const z = t / (alpha + T + t);
  let f: number;
  try {
    f = hyp2f1(r + x, b + x, a + b + x - 1, z);
  } catch (error) {
    if (error instanceof HypergeometricConvergenceError) return Number.NaN;
    throw error;
  }
  return ((a + b + x - 1) / (a - 1)) * (1 - exp((r + x) * (log(alpha + T) - log(alpha + T + t))) * f);
}

/** NaN where its 2F1 overflows or does not converge. */
function eulerTransformedExpectation(params: BgNbdParams, c: RecencyFrequency, t: number): number {
  const { r, alpha, a, b } = params;
  const { x, T } = c;
  const z = t / (alpha + T + t);
  const logOneMinusZ = log(alpha + T) - log(alpha + T + t);
  let f: number;
  try {
    f = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  } catch (error) {
    if (error instanceof HypergeometricConvergenceError) return Number.NaN;
    throw error;
  }
  // [1 - q^(a-1)·f]/(a-1) = (1 - q^(a-1))/(a-1) + q^(a-1)·(1 - f)/(a-1) with q = 1 - z: both
  // parts stay well conditioned as a -> 1, where q^(a-1) and f both tend to 1.
  const bracket = oneMinusPowOverExponent(logOneMinusZ, a - 1) + (exp((a - 1) * logOneMinusZ) * (1 - f)) / (a - 1);
  return (a + b + x - 1) * bracket;
}

interface PreparedData {
  /** Index into distinctX per customer. */
  xIndex: Int32Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  distinctX: number[];
  totalWeight: number;
}

/** Identical summaries are frequent in day- or week-rounded data; each is evaluated once, weighted. */
function prepare(customers: readonly RecencyFrequency[]): PreparedData {
  const groups = new Map<string, { c: RecencyFrequency; weight: number }>();
  for (const c of customers) {
    assertRecencyFrequency(c);
    const key = `${c.x}|${c.tx}|${c.T}`;
    const group = groups.get(key);
    if (group) group.weight++;
    else groups.set(key, { c, weight: 1 });
  }
  const n = groups.size;
  const data: PreparedData = {
    xIndex: new Int32Array(n),
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    weight: new Float64Array(n),
    distinctX: [],
    totalWeight: customers.length,
  };
  const positionOfX = new Map<number, number>();
  let i = 0;
  for (const { c, weight } of groups.values()) {
    let position = positionOfX.get(c.x);
    if (position === undefined) {
      position = data.distinctX.length;
      positionOfX.set(c.x, position);
      data.distinctX.push(c.x);
    }
    data.xIndex[i] = position;
    data.x[i] = c.x;
    data.tx[i] = c.tx;
    data.T[i] = c.T;
    data.weight[i] = weight;
    i++;
  }
  return data;
}

/** Parameters live on the log scale in the optimiser, so they stay positive without constraints. */
const LOG_PARAMETER_BOUND = 30;

function negativeLogLikelihood(data: PreparedData, theta: readonly number[]): number {
  if (theta.some((v) => !(abs(v) <= LOG_PARAMETER_BOUND))) return INFINITY;
  const [r, alpha, a, b] = theta.map(exp) as [number, number, number, number];
  // Everything that depends on x alone is computed once per distinct x.
  const logBetaAB = logBeta(a, b);
  const logGammaR = logGamma(r);
  const perX = data.distinctX.map((x) => logGamma(r + x) - logGammaR + logBeta(a, b + x) - logBetaAB);
  const dropout = data.distinctX.map((x) => (x > 0 ? log(a / (b + x - 1)) : -INFINITY));
  const rLogAlpha = r * log(alpha);
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    const xi = data.x[i] ?? 0;
    const k = data.xIndex[i] ?? 0;
    const logAlphaT = log(alpha + (data.T[i] ?? 0));
    let value = (perX[k] ?? 0) + rLogAlpha - (r + xi) * logAlphaT;
    if (xi > 0) value += logAddExp(0, (dropout[k] ?? 0) + (r + xi) * (logAlphaT - log(alpha + (data.tx[i] ?? 0))));
    total += (data.weight[i] ?? 0) * value;
  }
  return -total;
}

export interface BgNbdFitOptions extends MinimizeOptions {
  /** Starting point; defaults to all ones, as in the reference implementations. */
  start?: BgNbdParams;
  /** Skip the Hessian (five extra likelihood passes per parameter pair) when SEs are not needed. */
  standardErrors?: boolean;
}

/** Maximum-likelihood fit of (r, alpha, a, b) by Nelder-Mead on the log-parameters. */
export function fitBgNbd(customers: readonly RecencyFrequency[], options: BgNbdFitOptions = {}): BgNbdFit {
  if (customers.length === 0) throw new InvalidModelInputError('cannot fit BG/NBD on zero customers');
  const data = prepare(customers);
  const start = options.start ?? { r: 1, alpha: 1, a: 1, b: 1 };
  const theta0 = [start.r, start.alpha, start.a, start.b].map(log);
  // The mean keeps the objective O(1) whatever the population size, so one tolerance fits all.
  const result = minimizeNelderMead((theta) => negativeLogLikelihood(data, theta) / data.totalWeight, theta0, options);
  const [r, alpha, a, b] = result.x.map(exp) as [number, number, number, number];
  const params = { r, alpha, a, b };
  const fit: BgNbdFit = {
    params,
    logLikelihood: -negativeLogLikelihood(data, result.x),
    customers: data.totalWeight,
    evaluations: result.evaluations,
    converged: result.converged,
  };
  if (options.standardErrors !== false) {
    const se = logParameterStandardErrors((theta) => negativeLogLikelihood(data, theta), result.x);
    if (se) {
      const [sr, sAlpha, sa, sb] = se as [number, number, number, number];
      fit.standardErrors = { r: r * sr, alpha: alpha * sAlpha, a: a * sa, b: b * sb };
    }
  }
  return fit;
}
