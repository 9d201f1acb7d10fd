import { loadValueScoringConfig } from '../../../config/value-scoring.config';
import { interimModel, interimTierCutoffs, TierCutoffs } from '../../domain/customer-valuation';
import type { ValueModels } from '../ports/valuation-inputs.port';
import { ComputeTier } from './compute-tier';

const config = loadValueScoringConfig({
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  REDIS_URL: 'redis://127.0.0.1:6379',
});

function models(cutoffs: TierCutoffs | undefined): ValueModels {
  return {
    model: () => interimModel,
    tierCutoffs: () => (cutoffs ? { cutoffs, fromWalk: true } : { cutoffs: interimTierCutoffs, fromWalk: false }),
    peerLevel: () => undefined,
  };
}

describe('compute tier', () => {
  it('places live against the interim thresholds before any walk, saying so', () => {
    const tiers = new ComputeTier(models(undefined), config);
    expect(tiers.live(interimTierCutoffs.A).tier).toBe('A');
    expect(tiers.live(interimTierCutoffs.A - 0.01).tier).toBe('B');
    expect(tiers.live(interimTierCutoffs.C).tier).toBe('C');
    expect(tiers.live(interimTierCutoffs.C - 0.01).tier).toBe('D');
    expect(tiers.live(0).tier).toBe('D');
    expect(tiers.live(300).reason).toMatch(/^tier B: no re-tiering has run yet/);
  });

  it("places live against the last walk's cut-offs, naming the bound", () => {
    const tiers = new ComputeTier(models({ A: 500, B: 120, C: 10 }), config);
    const placed = tiers.live(130);
    expect(placed.tier).toBe('B');
    expect(placed.reason).toContain(`at least 120 ${config.VALUE_CURRENCY}`);
    expect(tiers.live(9).reason).toContain(`below 10 ${config.VALUE_CURRENCY}`);
  });

  it('puts every customer below zero in D with the reason, live and in the walk', () => {
    const tiers = new ComputeTier(models({ A: 500, B: 120, C: 10 }), config);
    expect(tiers.live(-3)).toEqual({ tier: 'D', reason: expect.stringMatching(/^tier D: margin -3 \w+ is below zero/) });
    expect(tiers.walked({ tier: 'D', shareAbove: 1 }, -3).reason).toMatch(/is below zero/);
  });

  it("gives the walk's placement with the share of value above the customer", () => {
    const tiers = new ComputeTier(models(undefined), config);
    const placed = tiers.walked({ tier: 'B', shareAbove: 0.6234 }, 40);
    expect(placed.tier).toBe('B');
    expect(placed.reason).toMatch(/^tier B: customers more valuable than this one hold 62\.3% of total value/);
  });
});
