import { categoryBreadthBand, discountedYears, LogHistogram, peerGroupKeys, peerLevels } from './peer-spend';

describe('peer spend', () => {
  it('bands category breadth', () => {
    const bands = [1, 2, 4, 7];
    expect([0, 1, 2, 3, 4, 6, 7, 20].map((n) => categoryBreadthBand(n, bands))).toEqual(['0', '1', '2-3', '2-3', '4-6', '4-6', '7+', '7+']);
  });

  it('keys peer groups by archetype set (order-free) and breadth band', () => {
    expect(peerGroupKeys(['traveller', 'family', 'family'], 3, [1, 2, 4])).toEqual({
      specific: 'archetypes=family+traveller;breadth=2-3',
      broad: 'breadth=2-3',
    });
    expect(peerGroupKeys([], 0, [1]).specific).toBe('archetypes=(none);breadth=0');
  });

  it('estimates percentiles within the bin resolution without keeping the values', () => {
    const h = new LogHistogram();
    for (let i = 1; i <= 1000; i++) h.add(i);
    expect(h.quantile(0.8) / 800).toBeGreaterThan(0.99);
    expect(h.quantile(0.8) / 800).toBeLessThan(1.03);
    expect(h.quantile(1) / 1000).toBeCloseTo(1, 1);
    const zeros = new LogHistogram();
    zeros.add(0);
    zeros.add(0);
    zeros.add(10);
    expect(zeros.quantile(0.5)).toBe(0);
  });

  it('keeps only groups large enough to trust', () => {
    const big = new LogHistogram();
    const small = new LogHistogram();
    for (let i = 0; i < 30; i++) big.add(100);
    small.add(5);
    const levels = peerLevels(
      new Map([
        ['big', big],
        ['small', small],
      ]),
      0.8,
      30,
    );
    expect(levels.map((l) => l.key)).toEqual(['big']);
    expect(levels[0]?.level).toBeCloseTo(100, -1);
  });

  it('discounts a yearly amount over the horizon', () => {
    expect(discountedYears(1, 0)).toBe(1);
    expect(discountedYears(3, 0.1)).toBeCloseTo(1 / 1.1 + 1 / 1.21 + 1 / 1.331, 10);
    expect(discountedYears(1.5, 0)).toBeCloseTo(1.5, 10);
  });
});
