import { holdoutPosition, isInCampaignHoldout, isInGlobalHoldout } from './holdout';

const N = 100_000;
// Sequential ids with a shared prefix: the input most likely to expose a weak hash.
const ids = Array.from({ length: N }, (_, i) => `cust-${i}`);
const positions = ids.map((id) => holdoutPosition(id, 'campaign:spring-sale'));

describe('holdout', () => {
  it.each([0.05, 0.1, 0.5])('holds out %p of 100,000 customers within 4.5 standard deviations', (share) => {
    const held = positions.filter((p) => p < share).length;
    const sd = Math.sqrt(N * share * (1 - share));
    expect(Math.abs(held - N * share)).toBeLessThan(4.5 * sd);
    expect(ids.filter((id) => isInCampaignHoldout(id, 'spring-sale', share)).length).toBe(held);
  });

  it('spreads positions uniformly over [0, 1) (chi-square, 20 bins)', () => {
    const bins = new Array<number>(20).fill(0);
    expect(positions.every((p) => p >= 0 && p < 1)).toBe(true);
    for (const p of positions) bins[Math.floor(p * 20)] = (bins[Math.floor(p * 20)] ?? 0) + 1;
    const expected = N / 20;
    const chi2 = bins.reduce((acc, observed) => acc + (observed - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 19 degrees of freedom.
    expect(chi2).toBeLessThan(43.82);
  });

  it('is sticky: the same answer every time, in any order, on any instance', () => {
    const again = [...ids]
      .reverse()
      .map((id) => holdoutPosition(id, 'campaign:spring-sale'))
      .reverse();
    expect(again).toEqual(positions);
    expect(isInCampaignHoldout('cust-42', 'spring-sale', 0.1)).toBe(isInCampaignHoldout('cust-42', 'spring-sale', 0.1));
  });

  it('only adds customers to the control group when the share grows', () => {
    const small = new Set(ids.filter((id) => isInCampaignHoldout(id, 'spring-sale', 0.05)));
    const large = new Set(ids.filter((id) => isInCampaignHoldout(id, 'spring-sale', 0.1)));
    expect(small.size).toBeGreaterThan(0);
    expect([...small].every((id) => large.has(id))).toBe(true);
  });

  it('draws independent groups per campaign and for the global holdout', () => {
    const sample = ids.slice(0, 20_000);
    const a = sample.map((id) => isInCampaignHoldout(id, 'spring-sale', 0.5));
    const b = sample.map((id) => isInCampaignHoldout(id, 'autumn-sale', 0.5));
    const g = sample.map((id) => isInGlobalHoldout(id, 0.5));
    const both = (x: boolean[], y: boolean[]) => x.filter((v, i) => v && y[i]).length / sample.length;
    // Independent halves overlap on a quarter; sd of the share is sqrt(0.25 * 0.75 / 20000) = 0.0031.
    expect(Math.abs(both(a, b) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(both(a, g) - 0.25)).toBeLessThan(0.015);
  });

  it('holds out nobody at share 0', () => {
    expect(ids.slice(0, 1000).some((id) => isInCampaignHoldout(id, 'x', 0) || isInGlobalHoldout(id, 0))).toBe(false);
  });
});
