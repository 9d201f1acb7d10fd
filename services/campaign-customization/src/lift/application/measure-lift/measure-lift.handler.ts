import { Injectable } from '@nestjs/common';
import { CampaignRepository } from '../../../campaigns/infrastructure/campaign.repository';
import { CustomerStateRepository } from '../../../profiles/infrastructure/customer-state.repository';
import { computeLift, type LiftResult } from '../../domain/lift.statistics';

export interface CampaignLift extends LiftResult {
  campaignId: string;
  campaignVersion: number;
  goal: { event: string; where?: { property: string; value: string | number | boolean } };
  attributionWindowDays: number;
  holdoutShare: number;
  measuredAt: string;
}

/**
 * Lift against the control group, counted on demand from the customers' attribution state
 * (kept live by the batch writes of exposures and goal events), so every call is current.
 */
@Injectable()
export class MeasureLiftHandler {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly customers: CustomerStateRepository,
  ) {}

  async execute(campaignId: string): Promise<CampaignLift | undefined> {
    const campaign = await this.campaigns.get(campaignId);
    if (campaign === null) return undefined;
    const counts = await this.customers.attributionCounts(campaignId);
    const definition = campaign.definition;
    return {
      campaignId,
      campaignVersion: definition.version,
      goal: definition.goal,
      attributionWindowDays: definition.attributionWindowDays,
      holdoutShare: definition.holdoutShare,
      measuredAt: new Date().toISOString(),
      ...computeLift({ treated: counts.treated, control: counts.control, confidence: 0.95 }),
    };
  }
}
