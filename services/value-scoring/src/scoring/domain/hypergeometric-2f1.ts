import { gammaSign, isNonPositiveInteger, logGamma } from './special-functions';

// Module-level aliases of Math/Number members: inside Jest's vm context every global lookup goes
// through an interceptor and costs ~50x a local one, and the fits make millions of them.
const { abs, ceil, exp, max, min, pow, round } = Math;
const { isFinite: isFiniteNumber } = Number;
const INFINITY = Number.POSITIVE_INFINITY;
const NOT_A_NUMBER = Number.NaN;

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real z <= 1.
 *
 * Strategy (Abramowitz & Stegun ch. 15, the same split most libraries use):
 * - |z| small enough (-0.5 <= z <= 0.75): the Gauss series sum (a)_k (b)_k / ((c)_k k!) z^k,
 *   stopped by a bound on the remaining tail, not just on the last term, because terms can stall
 *   while the Pochhammer factors are still growing.
 * - z < -0.5: Pfaff's transformation 15.3.5, 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)),
 *   which maps z into (1/3, 1) and removes the alternating-sign cancellation.
 * - 0.75 < z < 1: the series needs about ln(eps)/ln(z) terms and more as z -> 1, so we use the
 *   connection formula 15.3.6 in 1-z, whose two series converge like (1-z)^k. Its gamma factors
 *   have poles when c-a-b is an integer; near one (gap < 1e-4) the two terms cancel, so we fall
 *   back to the Gauss series (still geometric for z < 1) up to z = 0.999, and beyond that
 *   interpolate (cubic) between neighbouring non-degenerate values of c.
 * - z = 1: Gauss's summation theorem, defined when c-a-b > 0.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(isFiniteNumber(a) && isFiniteNumber(b) && isFiniteNumber(c) && isFiniteNumber(z)))
    throw new RangeError(`hyp2f1: non-finite argument (${a}, ${b}, ${c}, ${z})`);
  if (isNonPositiveInteger(c) && !terminatesBefore(a, b, c)) {
    throw new RangeError(`hyp2f1: c = ${c} is a pole`);
  }
  if (z > 1) throw new RangeError(`hyp2f1: z = ${z} > 1 is on the branch cut`);
  if (z === 0 || a === 0 || b === 0) return 1;
  if (isNonPositiveInteger(a) || isNonPositiveInteger(b)) return terminatingSeries(a, b, c, z);
  if (z === 1) return gaussSumAtOne(a, b, c);
  if (z < -0.5) return pow(1 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1));
  if (z <= SERIES_LIMIT) return gaussSeries(a, b, c, z, MAX_TERMS);
  return nearOne(a, b, c, z);
}

/** Above this |z| the direct series is slower than the 1-z connection formula. */
const SERIES_LIMIT = 0.75;
/** Relative accuracy asked of every series: a few ulps above double precision. */
const RELATIVE_TOLERANCE = 1e-16;
/** A cap that only parameters far outside the models' range (|a|, |b| in the thousands) reach. */
const MAX_TERMS = 1_000_000;
/** Beyond this |c-a-b| the direct series is preferred near z = 1 (see nearOne). */
const LARGE_EXCESS = 50;
/** Distance of c-a-b from an integer under which the connection formula loses > 4 digits. */
const DEGENERATE_GAP = 1e-4;

export class HypergeometricConvergenceError extends Error {
  constructor(a: number, b: number, c: number, z: number) {
    super(`hyp2f1(${a}, ${b}, ${c}, ${z}): series did not converge`);
    this.name = 'HypergeometricConvergenceError';
  }
}

function terminatesBefore(a: number, b: number, c: number): boolean {
  // A polynomial 2F1 (a or b = -n) never reaches (c)_k = 0 if it stops first.
  return (isNonPositiveInteger(a) && a > c) || (isNonPositiveInteger(b) && b > c);
}

function terminatingSeries(a: number, b: number, c: number, z: number): number {
  const degree = min(isNonPositiveInteger(a) ? -a : INFINITY, isNonPositiveInteger(b) ? -b : INFINITY);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < degree; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
  }
  return sum;
}

/**
 * Returns NaN instead of throwing when maxTerms is exhausted, so callers can choose another
 * route; the public entry turns a final failure into an error.
 */
function gaussSeriesOrNaN(a: number, b: number, c: number, z: number, maxTerms: number): number {
  let term = 1;
  let sum = 1;
  let previousRatio = INFINITY;
  const absZ = abs(z);
  // Before this index a Pochhammer factor can still cross zero and make one term deceptively small.
  const firstTestableTerm = ceil(max(0, -a, -b, -c)) + 1;
  for (let k = 0; k < maxTerms; k++) {
    const ratio = ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    term *= ratio;
    sum += term;
    const absRatio = abs(ratio);
    // Once the term ratios have stopped rising (they tend to |z| from either side), every later
    // ratio is at most rho, so the tail is bounded by a geometric series.
    if (k >= firstTestableTerm && (absRatio <= previousRatio || absRatio <= absZ)) {
      const rho = max(absRatio, absZ);
      if (rho < 1 && (abs(term) * rho) / (1 - rho) <= RELATIVE_TOLERANCE * abs(sum)) return sum;
    }
    if (term === 0) return sum;
    if (!isFiniteNumber(sum)) return NOT_A_NUMBER;
    previousRatio = absRatio;
  }
  return NOT_A_NUMBER;
}

function gaussSeries(a: number, b: number, c: number, z: number, maxTerms: number): number {
  const value = gaussSeriesOrNaN(a, b, c, z, maxTerms);
  if (Number.isNaN(value)) throw new HypergeometricConvergenceError(a, b, c, z);
  return value;
}

/** Signed Γ(p1)Γ(p2)/(Γ(q1)Γ(q2)) through logs, so large arguments do not overflow. */
function gammaRatio(numerator: readonly number[], denominator: readonly number[]): number {
  // 1/Γ vanishes at its poles: the whole term is zero.
  if (denominator.some(isNonPositiveInteger)) return 0;
  let logValue = 0;
  let sign = 1;
  for (const p of numerator) {
    logValue += logGamma(p);
    sign *= gammaSign(p);
  }
  for (const q of denominator) {
    logValue -= logGamma(q);
    sign *= gammaSign(q);
  }
  return sign * exp(logValue);
}

function gaussSumAtOne(a: number, b: number, c: number): number {
  if (c - a - b <= 0) throw new RangeError(`hyp2f1: diverges at z = 1 when c - a - b = ${c - a - b} <= 0`);
  return gammaRatio([c, c - a - b], [c - a, c - b]);
}

function nearOne(a: number, b: number, c: number, z: number): number {
  const m = c - a - b;
  if (abs(m) > LARGE_EXCESS) {
    // The connection formula's series then have c' = 1 ± m far below zero: they run |m| terms
    // before their tail can even be bounded (millions for BG/NBD fits with a in the millions),
    // while the direct series' terms fall within a few hundred.
    const direct = gaussSeriesOrNaN(a, b, c, z, MAX_TERMS);
    if (!Number.isNaN(direct)) return direct;
  }
  const nearestInteger = round(m);
  if (abs(m - nearestInteger) >= DEGENERATE_GAP) {
    const connected = wellConditionedConnection(a, b, c, z);
    return Number.isNaN(connected) ? directSeriesNearOne(a, b, c, z) : connected;
  }

  // The direct series first, whatever z < 1: the interpolation below is wrong when c itself is
  // within 2h of a pole (0, -1, ...), as BG/NBD's c = a + b + x - 1 is for x = 0 and a + b near 1.
  const direct = gaussSeriesOrNaN(a, b, c, z, MAX_TERMS);
  if (!Number.isNaN(direct)) return direct;

  // The function is analytic in c: a cubic through four well-conditioned neighbours (c-a-b at
  // n ± h, n ± 2h, where the connection formula loses only ~eps/h) is O(h⁴) off at the target.
  const h = DEGENERATE_GAP;
  const offsets = [-2 * h, -h, h, 2 * h];
  const values = offsets.map((d) => wellConditionedConnection(a, b, a + b + nearestInteger + d, z));
  if (values.some((v) => Number.isNaN(v))) return directSeriesNearOne(a, b, c, z);
  const target = m - nearestInteger;
  let result = 0;
  offsets.forEach((di, i) => {
    let weight = 1;
    offsets.forEach((dj, j) => {
      if (j !== i) weight *= (target - dj) / (di - dj);
    });
    result += weight * (values[i] ?? 0);
  });
  return result;
}

/**
 * Above this ratio of |first| + |second| to |first + second| the two terms of the connection
 * formula cancel to fewer than ~6 significant digits. It happens when a parameter is large (BG/NBD
 * fits whose b runs to tens of thousands: customers who never drop out), where the gamma factors
 * and the series in 1-z grow huge and opposite; before this check the cancellation came out as
 * values like -1e33, or as a series that never converged (issue 18's negative customer values).
 */
const CONNECTION_CONDITION_LIMIT = 1e10;

/** The connection formula, or NaN where it cannot be trusted (ill-conditioned or non-convergent). */
function wellConditionedConnection(a: number, b: number, c: number, z: number): number {
  let terms: [number, number];
  try {
    terms = connectionTerms(a, b, c, z);
  } catch (error) {
    if (error instanceof HypergeometricConvergenceError || error instanceof RangeError) return NOT_A_NUMBER;
    throw error;
  }
  const [first, second] = terms;
  const sum = first + second;
  if (!isFiniteNumber(sum) || !isFiniteNumber(first) || !isFiniteNumber(second)) return NOT_A_NUMBER;
  if (abs(first) + abs(second) > CONNECTION_CONDITION_LIMIT * abs(sum)) return NOT_A_NUMBER;
  return sum;
}

/**
 * The Gauss series still converges geometrically (term ratio -> z) for any z < 1, only slowly:
 * about 36 / -ln z terms, 37,000 at z = 0.999. Where the connection formula fails this is the
 * accurate route, at that cost.
 */
function directSeriesNearOne(a: number, b: number, c: number, z: number): number {
  if (z >= 1) throw new HypergeometricConvergenceError(a, b, c, z);
  return gaussSeries(a, b, c, z, MAX_TERMS);
}

/** A&S 15.3.6, valid for c-a-b not an integer and 0 < z < 1: its two terms, which may cancel. */
function connectionTerms(a: number, b: number, c: number, z: number): [number, number] {
  const m = c - a - b;
  const w = 1 - z;
  const first = gammaRatio([c, m], [c - a, c - b]);
  const second = gammaRatio([c, -m], [a, b]);
  const firstTerm = first === 0 ? 0 : first * hyp2f1(a, b, 1 - m, w);
  const secondTerm = second === 0 ? 0 : second * pow(w, m) * hyp2f1(c - a, c - b, 1 + m, w);
  return [firstTerm, secondTerm];
}
