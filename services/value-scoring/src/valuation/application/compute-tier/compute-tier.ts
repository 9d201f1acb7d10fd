import type { ValueTier } from '@o2o/contracts';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { round2, tierFromCutoffs } from '../../domain/customer-valuation';
import type { ValueModels } from '../ports/valuation-inputs.port';

export interface TierPlacement {
  tier: ValueTier;
  reason: string;
}

/**
 * Compute tier: a customer's value tier (A/B/C/D) and the reason given for it. Two ways, one
 * rule (cumulative share of the total positive value: A the customers holding the top
 * TIER_SHARE_A, B to TIER_SHARE_B, C to TIER_SHARE_C, D the rest; every customer below zero is D):
 * - `live`: a customer scored between walks (an event, a merge, the API) is placed against the
 *   lowest value of each tier at the last walk (or the interim thresholds before any walk);
 * - `walked`: the re-scoring walk (models/application/rescore-customers) places everyone by
 *   cumulative share as it goes down the value ranking (scoring/domain/value-tiers.ts,
 *   TierWalker) and gives the share above each customer as the reason.
 */
export class ComputeTier {
  constructor(
    private readonly models: ValueModels,
    private readonly config: ValueScoringConfig,
  ) {}

  /** Live placement against the last walk's cut-offs (or the interim thresholds before any walk). */
  live(value: number): TierPlacement {
    const { cutoffs, fromWalk } = this.models.tierCutoffs();
    const tier = tierFromCutoffs(value, cutoffs);
    const money = (n: number) => `${round2(n)} ${this.config.VALUE_CURRENCY}`;
    const bound = tier === 'D' ? cutoffs.C : cutoffs[tier];
    if (value < 0)
      return {
        tier: 'D',
        reason: `tier D: margin ${money(value)} is below zero (a below-zero customer: serving them costs more than they bring)`,
      };
    const relation = tier === 'D' ? `below ${money(bound)}` : `at least ${money(bound)}`;
    return {
      tier,
      reason: fromWalk
        ? `tier ${tier}: value ${money(value)} is ${relation}, the lowest value in tier ${tier === 'D' ? 'C' : tier} at the last re-tiering by cumulative share of value (A: top ${pct(this.config.TIER_SHARE_A)}, B: to ${pct(this.config.TIER_SHARE_B)}, C: to ${pct(this.config.TIER_SHARE_C)})`
        : `tier ${tier}: no re-tiering has run yet, so the interim revenue thresholds apply (A >= ${money(cutoffs.A)}, B >= ${money(cutoffs.B)}, C >= ${money(cutoffs.C)})`,
    };
  }

  /** The walk's placement of a customer of `value` that TierWalker put in `placed.tier` with `placed.shareAbove` of the total above it. */
  walked(placed: { tier: ValueTier; shareAbove: number }, value: number): TierPlacement {
    if (value < 0) return { tier: placed.tier, reason: this.live(value).reason };
    const bounds = `A: top ${pctFixed(this.config.TIER_SHARE_A)} of total value, B: to ${pctFixed(this.config.TIER_SHARE_B)}, C: to ${pctFixed(this.config.TIER_SHARE_C)}, D: the rest`;
    return {
      tier: placed.tier,
      reason: `tier ${placed.tier}: customers more valuable than this one hold ${pctFixed(placed.shareAbove, 1)} of total value at the last re-tiering (${bounds})`,
    };
  }
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function pctFixed(share: number, digits = 0): string {
  return `${(share * 100).toFixed(digits)}%`;
}
