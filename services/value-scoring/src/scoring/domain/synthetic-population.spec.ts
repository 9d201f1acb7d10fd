import { SeededRandom } from './seeded-random';
import { generateSyntheticPopulation, SyntheticPopulationOptions } from './synthetic-population';

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, variance: xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) };
}

describe('SeededRandom', () => {
  it('repeats itself for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.uniform());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it.each([
    [0.25, 4],
    [3.7, 0.5],
  ])('draws Gamma(%p, rate %p) with the right mean and variance', (shape, rate) => {
    const random = new SeededRandom(7);
    const { mean, variance } = moments(Array.from({ length: 200_000 }, () => random.gamma(shape, rate)));
    // Standard errors of the sample moments are well under 1% here; 3% leaves ample room.
    expect(Math.abs(mean / (shape / rate) - 1)).toBeLessThan(0.03);
    expect(Math.abs(variance / (shape / rate ** 2) - 1)).toBeLessThan(0.05);
  });

  it('draws Beta(a, b) with the right mean and variance', () => {
    const [a, b] = [0.8, 2.4];
    const random = new SeededRandom(8);
    const { mean, variance } = moments(Array.from({ length: 200_000 }, () => random.beta(a, b)));
    expect(Math.abs(mean / (a / (a + b)) - 1)).toBeLessThan(0.02);
    expect(Math.abs(variance / ((a * b) / ((a + b) ** 2 * (a + b + 1))) - 1)).toBeLessThan(0.03);
  });
});

describe('generateSyntheticPopulation', () => {
  const options: SyntheticPopulationOptions = {
    customers: 500,
    seed: 3,
    purchases: { model: 'bg-nbd', params: { r: 0.8, alpha: 6, a: 0.7, b: 3.5 } },
    spend: { p: 6, q: 4, v: 15 },
    acquisitionStart: new Date('2020-01-01T00:00:00Z'),
    acquisitionEnd: new Date('2020-03-01T00:00:00Z'),
    calibrationEnd: new Date('2020-12-31T00:00:00Z'),
    holdoutEnd: new Date('2021-06-30T00:00:00Z'),
  };

  it('is deterministic for a seed', () => {
    expect(generateSyntheticPopulation(options)).toEqual(generateSyntheticPopulation(options));
  });

  it('starts every customer with a purchase in the acquisition window and stops at the holdout end', () => {
    const { customers, transactions } = generateSyntheticPopulation(options);
    expect(customers).toHaveLength(500);
    for (const c of customers) {
      expect(c.firstPurchaseAt.getTime()).toBeGreaterThanOrEqual(options.acquisitionStart.getTime());
      expect(c.firstPurchaseAt.getTime()).toBeLessThan(options.acquisitionEnd.getTime());
    }
    const firstByCustomer = new Map(customers.map((c) => [c.customerId, c.firstPurchaseAt.getTime()]));
    for (const t of transactions) {
      expect(t.at.getTime()).toBeGreaterThanOrEqual(firstByCustomer.get(t.customerId) ?? Infinity);
      expect(t.at.getTime()).toBeLessThanOrEqual(options.holdoutEnd.getTime());
      expect(t.amount).toBeGreaterThan(0);
    }
    expect(new Set(transactions.map((t) => t.customerId)).size).toBe(500);
  });
});
