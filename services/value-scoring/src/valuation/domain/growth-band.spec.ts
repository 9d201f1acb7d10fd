import fc from 'fast-check';
import { bandsDownFrom, growthBand, growthBandIndex, HIGHEST_BAND } from './growth-band';

describe('growth bands', () => {
  it('orders bands as the room to grow: more room never falls in a lower band', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e14, noNaN: true }), fc.double({ min: 1e-6, max: 1e14, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(growthBandIndex(high) ?? -1).toBeGreaterThanOrEqual(growthBandIndex(low) ?? -1);
      }),
    );
  });

  it('keeps one band within a factor of 2^(1/8) between the cent and 10^12', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e12, noNaN: true }), (g) => {
        const band = growthBandIndex(g) ?? -1;
        expect(growthBandIndex(g * 1.1) ?? -1).toBeGreaterThan(band);
      }),
    );
  });

  it('puts no customer without room to grow in a band, and clamps the extremes', () => {
    expect(growthBand(0)).toBeUndefined();
    expect(growthBand(-5)).toBeUndefined();
    expect(growthBand(Number.NaN)).toBeUndefined();
    expect(growthBandIndex(1e-9)).toBe(0);
    expect(growthBandIndex(1e20)).toBe(HIGHEST_BAND);
    expect(growthBand(1)).toBe('g056');
  });

  it('lists bands downwards, stopping at the bottom', () => {
    expect(bandsDownFrom(5, 3)).toEqual(['g005', 'g004', 'g003']);
    expect(bandsDownFrom(1, 5)).toEqual(['g001', 'g000']);
  });
});
