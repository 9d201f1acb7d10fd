import { assertRecencyFrequency, RecencyFrequency } from './customer-summary';
import { hyp2f1 } from './hypergeometric-2f1';
import { logParameterStandardErrors, minimizeNelderMead, MinimizeOptions } from './nelder-mead.optimizer';
import { InvalidModelInputError } from './scoring.errors';
import { logAddExp, logGamma, oneMinusPowOverExponent } from './special-functions';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { abs, exp, expm1, log } = Math;
const { isFinite: isFiniteNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;

/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987; expressions from Fader & Hardie's 2005
 * derivation note): Poisson purchases with λ ~ Gamma(r, alpha) and an exponential lifetime
 * with μ ~ Gamma(s, beta). Dropout can happen at any moment, not only after a purchase.
 */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFit {
  params: ParetoNbdParams;
  logLikelihood: number;
  standardErrors?: ParetoNbdParams;
  customers: number;
  evaluations: number;
  converged: boolean;
}

export function assertParetoNbdParams(params: ParetoNbdParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (!(isFiniteNumber(value) && value > 0))
      throw new InvalidModelInputError(`Pareto/NBD parameter ${name} must be positive, got ${value}`);
  }
}

/**
 * ln I(y), I(y) = ∫_y^∞ (α+u)^-(r+x) (β+u)^-(s+1) du: the part of the likelihood where the
 * customer died between y and T. The integral is an Euler integral of 2F1; we use it in the
 * Euler-transformed form 2F1(·, 1; r+s+x+1; z) whose series has positive terms with ratio < z,
 * instead of the usual 2F1(r+s+x, ·; r+s+x+1; z) that grows like (1-z)^-s.
 */
function logTailIntegral(params: ParetoNbdParams, x: number, y: number): number {
  const { r, alpha, s, beta } = params;
  const c = r + s + x + 1;
  if (alpha >= beta) {
    const z = (alpha - beta) / (alpha + y);
    return -(r + x) * log(alpha + y) - s * log(beta + y) + log(hyp2f1(r + x, 1, c, z)) - log(r + s + x);
  }
  const z = (beta - alpha) / (beta + y);
  return (1 - r - x) * log(alpha + y) - (s + 1) * log(beta + y) + log(hyp2f1(s + 1, 1, c, z)) - log(r + s + x);
}

/** ln[s · (I(t_x) - I(T))], -Infinity when t_x = T (no room to have died unseen). */
function logDeathTerm(params: ParetoNbdParams, c: RecencyFrequency): number {
  if (c.tx >= c.T) return -INFINITY;
  const atTx = logTailIntegral(params, c.x, c.tx);
  const atT = logTailIntegral(params, c.x, c.T);
  // I is decreasing in y; rounding can only make the difference look non-positive.
  const difference = -expm1(atT - atTx);
  return difference > 0 ? log(params.s) + atTx + log(difference) : -INFINITY;
}

function logAliveTerm(params: ParetoNbdParams, c: RecencyFrequency): number {
  return -(params.r + c.x) * log(params.alpha + c.T) - params.s * log(params.beta + c.T);
}

export function paretoNbdLogLikelihood(params: ParetoNbdParams, customer: RecencyFrequency): number {
  assertParetoNbdParams(params);
  assertRecencyFrequency(customer);
  return logLikelihoodUnchecked(params, customer);
}

function logLikelihoodUnchecked(params: ParetoNbdParams, c: RecencyFrequency): number {
  const { r, alpha, s, beta } = params;
  return logGamma(r + c.x) - logGamma(r) + r * log(alpha) + s * log(beta) + logAddExp(logAliveTerm(params, c), logDeathTerm(params, c));
}

export function paretoNbdProbabilityAlive(params: ParetoNbdParams, customer: RecencyFrequency): number {
  assertParetoNbdParams(params);
  assertRecencyFrequency(customer);
  const logOdds = logAliveTerm(params, customer) - logDeathTerm(params, customer);
  return logOdds >= 0 ? 1 / (1 + exp(-logOdds)) : exp(logOdds) / (1 + exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T] = (r+x)(β+T)/((α+T)(s-1)) · [1 - ((β+T)/(β+T+t))^(s-1)] · P(alive);
 * the (s-1) division goes through a helper that has the finite s = 1 limit.
 */
export function paretoNbdConditionalExpectedPurchases(params: ParetoNbdParams, customer: RecencyFrequency, t: number): number {
  const alive = paretoNbdProbabilityAlive(params, customer);
  if (!(isFiniteNumber(t) && t >= 0)) throw new InvalidModelInputError(`t must be finite and >= 0, got ${t}`);
  const { r, alpha, s, beta } = params;
  const { x, T } = customer;
  const logQ = log(beta + T) - log(beta + T + t);
  return (((r + x) * (beta + T)) / (alpha + T)) * oneMinusPowOverExponent(logQ, s - 1) * alive;
}

/** E[X(t)] for a customer just acquired. */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  return paretoNbdConditionalExpectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}

interface Group {
  c: RecencyFrequency;
  weight: number;
}

function prepare(customers: readonly RecencyFrequency[]): Group[] {
  const groups = new Map<string, Group>();
  for (const c of customers) {
    assertRecencyFrequency(c);
    const key = `${c.x}|${c.tx}|${c.T}`;
    const group = groups.get(key);
    if (group) group.weight++;
    else groups.set(key, { c, weight: 1 });
  }
  return [...groups.values()];
}

const LOG_PARAMETER_BOUND = 30;

function negativeLogLikelihood(groups: readonly Group[], theta: readonly number[]): number {
  if (theta.some((t) => !(abs(t) <= LOG_PARAMETER_BOUND))) return INFINITY;
  const [r, alpha, s, beta] = theta.map(exp) as [number, number, number, number];
  const params = { r, alpha, s, beta };
  let total = 0;
  for (const g of groups) total += g.weight * logLikelihoodUnchecked(params, g.c);
  return -total;
}

export interface ParetoNbdFitOptions extends MinimizeOptions {
  start?: ParetoNbdParams;
  standardErrors?: boolean;
}

/** Maximum-likelihood fit of (r, alpha, s, beta) by Nelder-Mead on the log-parameters. */
export function fitParetoNbd(customers: readonly RecencyFrequency[], options: ParetoNbdFitOptions = {}): ParetoNbdFit {
  if (customers.length === 0) throw new InvalidModelInputError('cannot fit Pareto/NBD on zero customers');
  const groups = prepare(customers);
  const n = customers.length;
  const start = options.start ?? { r: 1, alpha: 1, s: 1, beta: 1 };
  const theta0 = [start.r, start.alpha, start.s, start.beta].map(log);
  const result = minimizeNelderMead((theta) => negativeLogLikelihood(groups, theta) / n, theta0, options);
  const [r, alpha, s, beta] = result.x.map(exp) as [number, number, number, number];
  const fit: ParetoNbdFit = {
    params: { r, alpha, s, beta },
    logLikelihood: -negativeLogLikelihood(groups, result.x),
    customers: n,
    evaluations: result.evaluations,
    converged: result.converged,
  };
  if (options.standardErrors !== false) {
    const se = logParameterStandardErrors((theta) => negativeLogLikelihood(groups, theta), result.x);
    if (se) {
      const [sr, sAlpha, ss, sBeta] = se as [number, number, number, number];
      fit.standardErrors = { r: r * sr, alpha: alpha * sAlpha, s: s * ss, beta: beta * sBeta };
    }
  }
  return fit;
}
