/**
 * Composite Simpson's rule: the independent route the model specs use to check closed forms
 * (likelihoods, expectations) against their defining integrals. Imported by specs only.
 */
export function simpson(f: (u: number) => number, from: number, to: number, intervals = 20_000): number {
  const n = intervals % 2 === 0 ? intervals : intervals + 1;
  const h = (to - from) / n;
  let sum = f(from) + f(to);
  for (let i = 1; i < n; i++) sum += (i % 2 === 0 ? 2 : 4) * f(from + i * h);
  return (sum * h) / 3;
}

/** Γ(r + x) / Γ(r) for integer x as a plain product: no gamma function involved. */
export function risingFactorial(r: number, x: number): number {
  let product = 1;
  for (let i = 0; i < x; i++) product *= r + i;
  return product;
}

export function factorial(n: number): number {
  return risingFactorial(1, n);
}

/**
 * Tanh-sinh (double-exponential) quadrature on (from, to): exponentially convergent even with
 * algebraic singularities at the ends, such as a Gamma density's μ^(s-1) with s < 1, where
 * Simpson's rule only converges like a power of the step.
 */
export function tanhSinh(f: (u: number) => number, from: number, to: number, step = 1 / 64): number {
  const half = (to - from) / 2;
  const middle = (from + to) / 2;
  let sum = 0;
  for (let t = -4; t <= 4 + 1e-12; t += step) {
    const inner = (Math.PI / 2) * Math.sinh(t);
    const u = middle + half * Math.tanh(inner);
    if (u <= from || u >= to) continue;
    const weight = ((Math.PI / 2) * Math.cosh(t)) / (Math.cosh(inner) * Math.cosh(inner));
    sum += weight * f(u);
  }
  return sum * half * step;
}
