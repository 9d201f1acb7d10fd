import fc from 'fast-check';
import { SeededRandom } from './seeded-random';

function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, variance: xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) };
}

const draws = (n: number, draw: () => number): number[] => Array.from({ length: n }, draw);

describe('SeededRandom', () => {
  it('repeats its sequence for a seed, and another seed gives another sequence', () => {
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return [rng.uniform(), rng.int(1, 6), rng.uuid(), rng.gamma(2, 3), rng.beta(0.5, 2), rng.poisson(2), rng.normal()];
    };
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draw(seed)).toEqual(draw(seed));
        expect(draw(seed)).not.toEqual(draw(seed + 1));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps draws in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 5 }), (seed, min, span) => {
        const rng = new SeededRandom(seed);
        for (let i = 0; i < 100; i += 1) {
          const u = rng.uniform();
          expect(u >= 0 && u < 1).toBe(true);
          const p = rng.uniformPositive();
          expect(p > 0 && p <= 1).toBe(true);
          const k = rng.int(min, min + span);
          expect(Number.isInteger(k) && k >= min && k <= min + span).toBe(true);
          const b = rng.beta(0.8, 2.4);
          expect(b >= 0 && b <= 1).toBe(true);
          expect(rng.gamma(0.3, 2)).toBeGreaterThanOrEqual(0);
          expect(rng.exponential(3)).toBeGreaterThanOrEqual(0);
        }
        expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a gamma without a positive shape and rate, and a pick from nothing', () => {
    const rng = new SeededRandom(1);
    expect(() => rng.gamma(0, 1)).toThrow(RangeError);
    expect(() => rng.gamma(1, -1)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(RangeError);
    expect(() => rng.weighted([])).toThrow(RangeError);
  });

  it.each([
    [0.25, 4],
    [0.5, 0.5],
    [3.7, 0.5],
    [9, 2],
  ])('draws Gamma(%p, rate %p) with mean shape/rate and variance shape/rate²', (shape, rate) => {
    const rng = new SeededRandom(7);
    const { mean, variance } = moments(draws(200_000, () => rng.gamma(shape, rate)));
    // Standard errors of the sample moments are well under 1% here; 3% and 5% leave ample room.
    expect(Math.abs(mean / (shape / rate) - 1)).toBeLessThan(0.03);
    expect(Math.abs(variance / (shape / rate ** 2) - 1)).toBeLessThan(0.05);
  });

  it('draws Beta(a, b) with the right mean and variance', () => {
    const [a, b] = [0.8, 2.4];
    const rng = new SeededRandom(8);
    const { mean, variance } = moments(draws(200_000, () => rng.beta(a, b)));
    expect(Math.abs(mean / (a / (a + b)) - 1)).toBeLessThan(0.02);
    expect(Math.abs(variance / ((a * b) / ((a + b) ** 2 * (a + b + 1))) - 1)).toBeLessThan(0.03);
  });

  it('draws normal, exponential and Poisson variates with their means and variances', () => {
    const rng = new SeededRandom(9);
    const normal = moments(draws(100_000, () => rng.normal()));
    expect(Math.abs(normal.mean)).toBeLessThan(0.02);
    expect(Math.abs(normal.variance - 1)).toBeLessThan(0.03);
    const exponential = moments(draws(100_000, () => rng.exponential(4)));
    expect(Math.abs(exponential.mean / 0.25 - 1)).toBeLessThan(0.03);
    const poisson = moments(draws(100_000, () => rng.poisson(2)));
    expect(Math.abs(poisson.mean / 2 - 1)).toBeLessThan(0.03);
    expect(Math.abs(poisson.variance / 2 - 1)).toBeLessThan(0.05);
  });

  it('picks by weight and with chance p', () => {
    const rng = new SeededRandom(5);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i += 1)
      counts[
        rng.weighted<'a' | 'b'>([
          ['a', 1],
          ['b', 3],
        ])
      ] += 1;
    expect(counts.b / 10_000).toBeGreaterThan(0.72);
    expect(counts.b / 10_000).toBeLessThan(0.78);
    const heads = draws(10_000, () => (rng.chance(0.3) ? 1 : 0)).reduce((s, x) => s + x, 0);
    expect(heads / 10_000).toBeGreaterThan(0.27);
    expect(heads / 10_000).toBeLessThan(0.33);
  });

  it('shuffles into a permutation of its input and picks one of the items', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { minLength: 1, maxLength: 30 }), (seed, items) => {
        const rng = new SeededRandom(seed);
        expect([...rng.shuffle(items)].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
        expect(items).toContain(rng.pick(items));
      }),
    );
  });
});
