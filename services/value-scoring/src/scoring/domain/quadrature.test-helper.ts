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
