import betaln from '@stdlib/math-base-special-betaln';
import gammaln from '@stdlib/math-base-special-gammaln';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { abs, exp, expm1, floor, log1p } = Math;
const { isInteger: isIntegerNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;

/** ln Γ(x) for x > 0; for negative non-integers ln|Γ(x)| (the sign comes from {@link gammaSign}). */
export function logGamma(x: number): number {
  return gammaln(x);
}

/** ln B(a, b) for a, b > 0. stdlib's betaln keeps precision where lnΓ(a)+lnΓ(b)-lnΓ(a+b) cancels. */
export function logBeta(a: number, b: number): number {
  return betaln(a, b);
}

/** True for 0, -1, -2, ...: the poles of Γ, where 1/Γ vanishes. */
export function isNonPositiveInteger(x: number): boolean {
  return x <= 0 && isIntegerNumber(x);
}

/** Sign of Γ(x) for x off the poles: positive for x > 0, alternating between consecutive poles below 0. */
export function gammaSign(x: number): 1 | -1 {
  if (x > 0) return 1;
  return floor(x) % 2 === 0 ? 1 : -1;
}

/** ln(e^u + e^v) without overflow; -Infinity inputs are the log of zero. */
export function logAddExp(u: number, v: number): number {
  if (u === -INFINITY) return v;
  if (v === -INFINITY) return u;
  return u > v ? u + log1p(exp(v - u)) : v + log1p(exp(u - v));
}

/**
 * (1 - q^e) / e for q in (0, 1], computed from ln q. Both BG/NBD (e = a - 1) and Pareto/NBD
 * (e = s - 1) divide by a shape minus one; at e = 0 the ratio has the finite limit -ln q, which
 * expm1 reaches smoothly instead of producing 0/0.
 */
export function oneMinusPowOverExponent(logQ: number, e: number): number {
  if (e === 0) return -logQ;
  const product = e * logQ;
  if (abs(product) < 1e-12) return -logQ * (1 + product / 2);
  return -expm1(product) / e;
}
