import { Injectable } from '@nestjs/common';
import { StoredCampaigns } from '../../../campaigns/application/ports';
import { computeLift, meanDifference, type LiftResult, type MeanDifference } from '../../domain/lift.statistics';
import { RETENTION_DAYS, tallyOutcomes } from '../../domain/attribution';
import { CampaignAttribution } from '../campaign-attribution.port';

export interface CampaignLift extends LiftResult {
  campaignId: string;
  campaignVersion: number;
  goal: { event: string; where?: { property: string; value: string | number | boolean } };
  attributionWindowDays: number;
  holdoutShare: number;
  measuredAt: string;
  /** Revenue of the customer's events within the window, per exposed customer: treated - control, with Welch's interval. */
  revenuePerCustomer: MeanDifference;
  /** Share of exposed customers still active RETENTION_DAYS or more after their first exposure (within the window), with the same intervals as conversion. */
  retention: LiftResult & { retentionDays: number };
}

/**
 * Lift against the control group, counted on demand from the customers' attribution state
 * (kept live by the batch writes of exposures and goal events), so every call is current: on
 * conversion (four indexed counts), and on revenue per customer and retention (one indexed read
 * of the exposed customers' attribution, a field of their document).
 */
@Injectable()
export class MeasureLiftHandler {
  constructor(
    private readonly campaigns: StoredCampaigns,
    private readonly attribution: CampaignAttribution,
  ) {}

  async execute(campaignId: string): Promise<CampaignLift | undefined> {
    const campaign = await this.campaigns.get(campaignId);
    if (campaign === null) return undefined;
    const [counts, states] = await Promise.all([this.attribution.counts(campaignId), this.attribution.states(campaignId)]);
    const outcomes = tallyOutcomes(states);
    const definition = campaign.definition;
    return {
      campaignId,
      campaignVersion: definition.version,
      goal: definition.goal,
      attributionWindowDays: definition.attributionWindowDays,
      holdoutShare: definition.holdoutShare,
      measuredAt: new Date().toISOString(),
      ...computeLift({ treated: counts.treated, control: counts.control, confidence: 0.95 }),
      revenuePerCustomer: meanDifference(outcomes.revenue.treated, outcomes.revenue.control, 0.95),
      retention: {
        ...computeLift({ treated: outcomes.retention.treated, control: outcomes.retention.control, confidence: 0.95 }),
        retentionDays: RETENTION_DAYS,
      },
    };
  }
}
