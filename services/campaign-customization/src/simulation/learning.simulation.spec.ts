import { holdoutFigures, simulate } from './learning.simulation';

describe('learning simulation (through the decision code)', () => {
  const options = { customers: 400, weeks: 6, seed: 7 };
  const learned = simulate('learned', options);
  const priority = simulate('priority', options);

  it('never breaks a cap, a consent or a holdout, whatever the strategy', () => {
    for (const result of [learned, priority, simulate('random', options)]) {
      expect({ strategy: result.strategy, ...result.violations }).toEqual({
        strategy: result.strategy,
        capBroken: 0,
        consentBroken: 0,
        holdoutContacted: 0,
      });
      expect(result.offers).toBeGreaterThan(0);
    }
  });

  it('learns: acceptance above priority-only, and a lift over the holdout whose interval excludes zero', () => {
    expect(learned.acceptanceRate).toBeGreaterThan(priority.acceptanceRate);
    expect(learned.lift.significant).toBe(true);
    const holdout = holdoutFigures(learned);
    expect(holdout.offers).toBe(0);
    expect(holdout.control.exposed).toBeGreaterThan(0);
  });

  it('is the same run for the same seed', () => {
    const again = simulate('learned', options);
    expect({ offers: again.offers, accepted: again.accepted }).toEqual({ offers: learned.offers, accepted: learned.accepted });
  });
});
