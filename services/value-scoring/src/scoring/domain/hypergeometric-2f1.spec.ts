import fc from 'fast-check';
import { hyp2f1, HypergeometricConvergenceError } from './hypergeometric-2f1';

/** Relative closeness, with an absolute floor for values near zero. */
function expectClose(actual: number, expected: number, relative = 1e-12): void {
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * scale);
}

/** A deliberately naive Gauss series with a fixed, generous number of terms: an independent route. */
function naiveSeries(a: number, b: number, c: number, z: number, terms: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < terms; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
  }
  return sum;
}

describe('hyp2f1', () => {
  const zs = [-20, -3, -0.9, -0.5, -0.1, 0.1, 0.5, 0.74, 0.76, 0.9, 0.99, 0.9999];

  it.each(zs)('2F1(a, b; b; z) = (1 - z)^-a at z = %p', (z) => {
    for (const [a, b] of [
      [0.7, 2.3],
      [3.25, 1.5],
      [-1.5, 0.4],
    ] as const) {
      expectClose(hyp2f1(a, b, b, z), Math.pow(1 - z, -a), 1e-11);
    }
  });

  it.each(zs)('2F1(1, 1; 2; z) = -ln(1 - z) / z at z = %p (c - a - b = 0: the degenerate case)', (z) => {
    // Past z = 0.999 the degenerate case is interpolated in c, good to ~1e-11.
    expectClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-10);
  });

  it('2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z, including close to z = 1', () => {
    for (const x of [0.1, 0.6, 0.9, 0.99, 0.999999]) {
      expectClose(hyp2f1(0.5, 0.5, 1.5, x * x), Math.asin(x) / x, 1e-11);
    }
  });

  it('2F1(1/2, 1; 3/2; -z^2) = atan(z) / z for negative arguments', () => {
    for (const x of [0.3, 1, 2, 10]) {
      expectClose(hyp2f1(0.5, 1, 1.5, -x * x), Math.atan(x) / x, 1e-12);
    }
  });

  it('is a polynomial when a is a non-positive integer', () => {
    const [b, c, z] = [2.5, 3.5, -7];
    expectClose(hyp2f1(-2, b, c, z), 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)), 1e-14);
  });

  it("meets Gauss's theorem at z = 1: 2F1(1, 1; 3; 1) = Γ(3)Γ(1)/(Γ(2)Γ(2)) = 2", () => {
    expectClose(hyp2f1(1, 1, 3, 1), 2, 1e-13);
  });

  it('agrees with Gauss as z approaches 1 when c - a - b > 0', () => {
    // Γ(3.5)Γ(1.3)/(Γ(2.3)Γ(2.7)) written out through Γ(x+1) = xΓ(x) to stay independent:
    // Γ(3.5)=2.5·1.5·Γ(1.5), Γ(2.7)=1.7·Γ(1.7), Γ(2.3)=1.3·Γ(1.3).
    const atOne = hyp2f1(1.2, 0.8, 3.5, 1);
    expectClose(hyp2f1(1.2, 0.8, 3.5, 1 - 1e-9), atOne, 1e-7);
  });

  it('matches a long naive series for random parameters with |z| <= 0.9', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 6, noNaN: true }),
        fc.double({ min: -3, max: 6, noNaN: true }),
        fc.double({ min: 0.2, max: 12, noNaN: true }),
        fc.double({ min: -0.9, max: 0.9, noNaN: true }),
        (a, b, c, z) => {
          const expected = naiveSeries(a, b, c, z, 2_000);
          const actual = hyp2f1(a, b, c, z);
          return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
        },
      ),
      { seed: 20240501, numRuns: 300 },
    );
  });

  it("satisfies Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z) across code paths", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 8, noNaN: true }),
        fc.double({ min: 0.05, max: 8, noNaN: true }),
        fc.double({ min: 0.3, max: 15, noNaN: true }),
        fc.double({ min: 0, max: 0.995, noNaN: true }),
        (a, b, c, z) => {
          const left = hyp2f1(a, b, c, z);
          const right = Math.pow(1 - z, c - a - b) * hyp2f1(c - a, c - b, c, z);
          return Math.abs(left - right) <= 1e-8 * Math.max(1, Math.abs(left));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('is continuous where it switches from the series to the connection formula', () => {
    for (const [a, b, c] of [
      [0.3, 2.1, 1.7],
      [2.5, 0.2, 5.1],
      [1.1, 1.4, 0.9],
    ] as const) {
      expectClose(hyp2f1(a, b, c, 0.75), hyp2f1(a, b, c, 0.75 + 1e-12), 1e-10);
    }
  });

  it('stays finite and accurate next to an integer c - a - b very close to z = 1', () => {
    // z = 1 - 1e-7 with c - a - b an integer (exactly, then 5e-5 off): neither the plain series
    // nor the raw connection formula is usable, so this exercises the interpolation in c.
    const z = 1 - 1e-7;
    expectClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-10);
    expectClose(hyp2f1(1, 1, 2 + 5e-5, 0.9999), naiveSeries(1, 1, 2 + 5e-5, 0.9999, 2_000_000), 1e-9);
  });

  it('rejects arguments outside its domain', () => {
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hyp2f1(Number.NaN, 1, 2, 0.5)).toThrow(RangeError);
  });

  it('with a parameter in the tens of thousands near z = 1 (BG/NBD fits where nobody drops out) matches the plain series', () => {
    // The connection formula's terms are ~1e30 apart and cancel there (issue 18: E[Y(t)] came
    // out -1e33); the plain series of enough terms is the independent route.
    for (const [a, b, c, z] of [
      [46998.2, -0.999999998, 47007.2, 0.76],
      [46998.2, -0.999999998, 47007.2, 0.95],
      [499.2, -0.999, 509, 0.9],
      [3.8, 2.855e7, 3.363e7, 0.8],
    ] as const) {
      expectClose(hyp2f1(a, b, c, z), naiveSeries(a, b, c, z, 200_000), 1e-9);
    }
    // Where neither route converges within its budget it says so instead of answering a number.
    expect(() => hyp2f1(2.8e7, 5.078e6, 3.363e7, 0.8)).toThrow(HypergeometricConvergenceError);
  });

  it('with c - a - b near an integer and c near a pole of the gamma function sums directly', () => {
    // c = 5e-5: the cubic through c ± 2e-4 would straddle the pole at 0.
    const [a, b, c, z] = [-1 + 5e-5, -1 + 5e-5, 5e-5, 0.98];
    expectClose(hyp2f1(a, b, c, z), naiveSeries(a, b, c, z, 200_000), 1e-9);
  });
});
