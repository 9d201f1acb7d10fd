import fc from 'fast-check';
import { recordActivity, recordExposure, RETENTION_DAYS, tallyOutcomes, type AttributionState } from './attribution';
import { meanDifference } from './lift.statistics';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

describe('revenue per customer and retention', () => {
  it('counts revenue and activity within the window only', () => {
    let state: AttributionState | undefined = recordExposure(undefined, 'treated', day(0));
    state = recordActivity(state, day(2), 40, 14);
    state = recordActivity(state, day(9), 10, 14);
    state = recordActivity(state, day(20), 500, 14);
    state = recordActivity(state, day(-1), 70, 14);
    expect(state).toEqual({ group: 'treated', firstExposedAt: day(0), revenue: 50, lastActiveAt: day(9) });
    expect(recordActivity(undefined, day(1), 5, 14)).toBeUndefined();
  });

  it('tallies revenue sums and retained customers per group', () => {
    const states: AttributionState[] = [
      { group: 'treated', firstExposedAt: day(0), revenue: 30, lastActiveAt: day(RETENTION_DAYS) },
      { group: 'treated', firstExposedAt: day(0), lastActiveAt: day(1) },
      { group: 'control', firstExposedAt: day(0), revenue: 10 },
    ];
    expect(tallyOutcomes(states)).toEqual({
      revenue: { treated: { customers: 2, sum: 30, sumOfSquares: 900 }, control: { customers: 1, sum: 10, sumOfSquares: 100 } },
      retention: { treated: { exposed: 2, converted: 1 }, control: { exposed: 1, converted: 0 } },
    });
  });

  it("gives Welch's interval around the difference of means, excluding zero only for a clear difference", () => {
    const group = (values: number[]) => ({
      customers: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      sumOfSquares: values.reduce((a, b) => a + b * b, 0),
    });
    const clear = meanDifference(
      group(Array.from({ length: 400 }, (_, i) => 20 + (i % 10))),
      group(Array.from({ length: 400 }, (_, i) => 10 + (i % 10))),
    );
    expect(clear.difference).toBeCloseTo(10, 10);
    expect(clear.significant).toBe(true);
    const none = meanDifference(group([0, 100, 0, 100]), group([100, 0, 100, 0]));
    expect(none.difference).toBe(0);
    expect(none.significant).toBe(false);
    expect(meanDifference(group([5]), group([1, 2])).interval).toBeNull();
  });

  it('always holds the difference inside its interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 2, maxLength: 50 }),
        fc.array(fc.nat(1000), { minLength: 2, maxLength: 50 }),
        (a, b) => {
          const g = (v: number[]) => ({
            customers: v.length,
            sum: v.reduce((x, y) => x + y, 0),
            sumOfSquares: v.reduce((x, y) => x + y * y, 0),
          });
          const result = meanDifference(g(a), g(b));
          if (result.interval === null || result.difference === null) throw new Error('no interval');
          expect(result.interval.lower).toBeLessThanOrEqual(result.difference + 1e-9);
          expect(result.interval.upper).toBeGreaterThanOrEqual(result.difference - 1e-9);
        },
      ),
    );
  });
});
