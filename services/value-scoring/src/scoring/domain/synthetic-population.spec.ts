import { generateSyntheticPopulation, SyntheticPopulationOptions } from './synthetic-population';

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
