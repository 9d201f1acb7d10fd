import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return [rng.float(), rng.int(1, 6), rng.uuid(), rng.gamma(2, 3), rng.poisson(2)];
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('keeps draws in range', () => {
    const rng = new SeededRandom(3);
    for (let i = 0; i < 1000; i += 1) {
      const x = rng.float();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(rng.int(-2, 2)).toBeGreaterThanOrEqual(-2);
    }
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    [0.5, 2],
    [2, 3],
    [9, 0.5],
  ])('draws Gamma(%s, %s) with the right mean and variance', (shape, scale) => {
    const rng = new SeededRandom(11);
    const n = 20_000;
    const xs = Array.from({ length: n }, () => rng.gamma(shape, scale));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    // Within a few standard errors of shape * scale and shape * scale^2.
    expect(Math.abs(mean - shape * scale)).toBeLessThan(4 * Math.sqrt((shape * scale * scale) / n));
    expect(variance / (shape * scale * scale)).toBeGreaterThan(0.9);
    expect(variance / (shape * scale * scale)).toBeLessThan(1.1);
  });

  it('picks by weight', () => {
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
  });
});
