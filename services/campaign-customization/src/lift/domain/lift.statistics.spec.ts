import { computeLift, InvalidLiftInputError, newcombeInterval, waldInterval, wilsonInterval } from './lift.statistics';
import { normalQuantile } from './normal-distribution';

const Z95 = 1.959963984540054;

// The Wilson bounds are the roots of (x/n - p)^2 = z^2 p (1 - p) / n; solving that quadratic
// here checks the closed form used by the code against its definition.
const roots = (x: number, n: number, z: number) => {
  const ph = x / n;
  const a = 1 + (z * z) / n;
  const b = -(2 * ph + (z * z) / n);
  const c = ph * ph;
  const disc = Math.sqrt(b * b - 4 * a * c);
  return { lower: (-b - disc) / (2 * a), upper: (-b + disc) / (2 * a) };
};

describe('normal quantile', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.95, 1.6448536269514722],
    [0.995, 2.5758293035489004],
    [0.5, 0],
    [0.001, -3.090232306167813],
    [0.9999, 3.719016485455709],
  ])('quantile(%p) = %p', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8);
  });

  it('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('Wilson interval', () => {
  it.each([
    [56, 70],
    [0, 20],
    [10, 10],
    [3, 1000],
  ])('matches its definition for %i/%i', (x, n) => {
    const expected = roots(x, n, Z95);
    const actual = wilsonInterval(x, n, Z95);
    expect(actual.lower).toBeCloseTo(Math.max(0, expected.lower), 12);
    expect(actual.upper).toBeCloseTo(Math.min(1, expected.upper), 12);
  });
});

describe('difference of proportions', () => {
  // Newcombe RG (1998), "Interval estimation for the difference between independent
  // proportions: comparison of eleven methods", Statistics in Medicine 17:873-890, Table II,
  // method 10 (hybrid score) and method 1 (Wald), published to 4 decimals.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1.0],
    [10, 10, 0, 10, 0.6075, 1.0],
  ])('Newcombe 1998 example %i/%i - %i/%i: (%p, %p)', (x1, n1, x2, n2, lower, upper) => {
    const ci = newcombeInterval({ converted: x1, exposed: n1 }, { converted: x2, exposed: n2 }, Z95);
    expect(Math.abs(ci.lower - lower)).toBeLessThan(0.00006);
    expect(Math.abs(ci.upper - upper)).toBeLessThan(0.00006);
  });

  it.each([
    [56, 70, 48, 80, 0.0575, 0.3425],
    [9, 10, 3, 10, 0.2605, 0.9395],
  ])('Wald, same source, %i/%i - %i/%i: (%p, %p)', (x1, n1, x2, n2, lower, upper) => {
    const ci = waldInterval({ converted: x1, exposed: n1 }, { converted: x2, exposed: n2 }, Z95);
    expect(Math.abs(ci.lower - lower)).toBeLessThan(0.00006);
    expect(Math.abs(ci.upper - upper)).toBeLessThan(0.00006);
  });
});

describe('computeLift', () => {
  it('reports rates, lifts, intervals and sample sizes for a campaign', () => {
    // 12% of 2,000 treated converted against 10% of 1,000 held out.
    const result = computeLift({ treated: { exposed: 2000, converted: 240 }, control: { exposed: 1000, converted: 100 } });
    expect(result.treated).toEqual({ exposed: 2000, converted: 240, rate: 0.12 });
    expect(result.control).toEqual({ exposed: 1000, converted: 100, rate: 0.1 });
    expect(result.absoluteLift).toBeCloseTo(0.02, 12);
    expect(result.relativeLift).toBeCloseTo(0.2, 12);
    // Relative interval by hand: ln(1.2) +- 1.96 * sqrt(1/240 - 1/2000 + 1/100 - 1/1000)
    // = 0.18232 +- 1.96 * 0.112546 = (-0.038265, 0.402908), i.e. a ratio - 1 in (-0.0375, 0.4962).
    const se = Math.sqrt(1 / 240 - 1 / 2000 + 1 / 100 - 1 / 1000);
    expect(se).toBeCloseTo(0.112546, 5);
    expect(result.relativeInterval?.lower).toBeCloseTo(Math.exp(Math.log(1.2) - Z95 * se) - 1, 8);
    expect(result.relativeInterval?.upper).toBeCloseTo(Math.exp(Math.log(1.2) + Z95 * se) - 1, 8);
    expect(result.relativeInterval?.lower).toBeCloseTo(-0.0375, 3);
    expect(result.relativeInterval?.upper).toBeCloseTo(0.4962, 3);
    // Delta-method form of the same variance, written independently: (1 - p) / (n p) per group.
    expect(se ** 2).toBeCloseTo((1 - 0.12) / (2000 * 0.12) + (1 - 0.1) / (1000 * 0.1), 12);
    // Newcombe's bounds from the Wilson roots of each group, solved independently of the code.
    const w1 = roots(240, 2000, Z95);
    const w2 = roots(100, 1000, Z95);
    const ci = result.absoluteInterval;
    expect(ci?.lower).toBeCloseTo(0.02 - Math.sqrt((0.12 - w1.lower) ** 2 + (w2.upper - 0.1) ** 2), 8);
    expect(ci?.upper).toBeCloseTo(0.02 + Math.sqrt((w1.upper - 0.12) ** 2 + (0.1 - w2.lower) ** 2), 8);
    // With this much data it is close to Wald's: 0.02 +- 1.96 * sqrt(.12 * .88 / 2000 + .1 * .9 / 1000) = 0.02 +- 0.02342.
    expect(Math.abs((ci?.lower ?? NaN) - (0.02 - 0.02342))).toBeLessThan(0.0015);
    expect(Math.abs((ci?.upper ?? NaN) - (0.02 + 0.02342))).toBeLessThan(0.0015);
    expect(result.significant).toBe(false);
    expect(result.methods).toEqual({ absolute: 'newcombe-hybrid-score', relative: 'katz-log-ratio' });
    expect(result.notes).toEqual([]);
  });

  it('uses the requested confidence level', () => {
    const at90 = computeLift({ treated: { exposed: 70, converted: 56 }, control: { exposed: 80, converted: 48 }, confidence: 0.9 });
    const at95 = computeLift({ treated: { exposed: 70, converted: 56 }, control: { exposed: 80, converted: 48 }, confidence: 0.95 });
    const width = (r: typeof at90) => (r.absoluteInterval ? r.absoluteInterval.upper - r.absoluteInterval.lower : NaN);
    expect(width(at90)).toBeLessThan(width(at95));
    expect(at95.absoluteInterval?.lower).toBeCloseTo(0.0524, 4);
    expect(at95.significant).toBe(true);
  });

  it('says what it cannot compute yet instead of inventing it', () => {
    const empty = computeLift({ treated: { exposed: 0, converted: 0 }, control: { exposed: 0, converted: 0 } });
    expect(empty).toMatchObject({ absoluteLift: null, absoluteInterval: null, relativeLift: null, significant: null });
    expect(empty.notes).toEqual(['no treated customer exposed yet', 'no control customer exposed yet']);
    const noControlConversion = computeLift({ treated: { exposed: 50, converted: 5 }, control: { exposed: 50, converted: 0 } });
    expect(noControlConversion.absoluteLift).toBeCloseTo(0.1, 12);
    expect(noControlConversion.absoluteInterval).not.toBeNull();
    expect(noControlConversion.relativeLift).toBeNull();
    expect(noControlConversion.notes).toEqual(['no control conversion yet: relative lift undefined']);
    const noTreatedConversion = computeLift({ treated: { exposed: 50, converted: 0 }, control: { exposed: 50, converted: 5 } });
    expect(noTreatedConversion.relativeLift).toBe(-1);
    expect(noTreatedConversion.relativeInterval).toBeNull();
  });

  it('rejects impossible counts', () => {
    expect(() => computeLift({ treated: { exposed: 5, converted: 6 }, control: { exposed: 5, converted: 1 } })).toThrow(
      InvalidLiftInputError,
    );
    expect(() => computeLift({ treated: { exposed: 5.5, converted: 1 }, control: { exposed: 5, converted: 1 } })).toThrow(
      InvalidLiftInputError,
    );
    expect(() => computeLift({ treated: { exposed: 5, converted: 1 }, control: { exposed: 5, converted: -1 } })).toThrow(
      InvalidLiftInputError,
    );
    expect(() => computeLift({ treated: { exposed: 5, converted: 1 }, control: { exposed: 5, converted: 1 }, confidence: 1 })).toThrow(
      InvalidLiftInputError,
    );
  });

  it('covers the true difference about 95% of the time in simulated campaigns', () => {
    // Mulberry32: a seeded generator, so the check is reproducible.
    let seed = 12345;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (random() < p) k++;
      return k;
    };
    const runs = 2000;
    const [pt, pc, nt, nc] = [0.06, 0.04, 400, 200];
    let covered = 0;
    for (let r = 0; r < runs; r++) {
      const result = computeLift({
        treated: { exposed: nt, converted: binomial(nt, pt) },
        control: { exposed: nc, converted: binomial(nc, pc) },
      });
      const ci = result.absoluteInterval;
      if (ci && ci.lower <= pt - pc && pt - pc <= ci.upper) covered++;
    }
    // Binomial sd of the coverage share at 2,000 runs is about 0.005.
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.975);
  });
});
