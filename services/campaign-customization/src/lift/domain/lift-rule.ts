import type { CampaignDefinition } from '../../campaigns/domain/campaign-definition';
import type { LiftResult } from './lift.statistics';

export interface LiftRuleVerdict {
  action: 'stop' | 'shift';
  /** The campaign's next version. */
  next: CampaignDefinition;
  reason: string;
}

/**
 * What a campaign's lift rule does given its current lift: nothing until each group has
 * minExposed customers and the conversion-lift interval excludes zero in the rule's direction;
 * then `stop` pauses the campaign and `shift` lowers its holdout (once: a campaign already at or
 * below that holdout is left alone). Pure, so the background runner only measures and saves.
 */
export function liftRuleVerdict(campaign: CampaignDefinition, lift: LiftResult): LiftRuleVerdict | undefined {
  const rule = campaign.liftRule;
  if (rule === undefined || campaign.status !== 'active') return undefined;
  if (lift.treated.exposed < rule.minExposed || lift.control.exposed < rule.minExposed) return undefined;
  const interval = lift.absoluteInterval;
  if (interval === null) return undefined;
  const excludes = rule.when === 'negative' ? interval.upper < 0 : interval.lower > 0;
  if (!excludes) return undefined;
  const shown = `conversion lift interval [${(interval.lower * 100).toFixed(2)}, ${(interval.upper * 100).toFixed(2)}] points excludes zero (${lift.treated.exposed} treated, ${lift.control.exposed} control)`;
  if (rule.action === 'stop')
    return {
      action: 'stop',
      next: { ...campaign, version: campaign.version + 1, status: 'paused' },
      reason: `${shown}: paused by its lift rule`,
    };
  const holdoutShare = rule.holdoutShare ?? 0;
  if (campaign.holdoutShare <= holdoutShare) return undefined;
  return {
    action: 'shift',
    next: { ...campaign, version: campaign.version + 1, holdoutShare },
    reason: `${shown}: holdout lowered from ${campaign.holdoutShare} to ${holdoutShare} by its lift rule`,
  };
}
