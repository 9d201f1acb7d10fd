import { Injectable } from '@nestjs/common';
import { CampaignAttribution } from '../../lift/application/campaign-attribution.port';
import type { AttributionState, GroupCounts } from '../../lift/domain';
import { CustomerStates } from './ports';

/** Lift's view of the customers' attribution: indexed counts and reads of the customer store. */
@Injectable()
export class ProfilesCampaignAttribution extends CampaignAttribution {
  constructor(private readonly customers: CustomerStates) {
    super();
  }

  counts(campaignId: string): Promise<{ treated: GroupCounts; control: GroupCounts }> {
    return this.customers.attributionCounts(campaignId);
  }

  states(campaignId: string): Promise<AttributionState[]> {
    return this.customers.attributionStates(campaignId);
  }
}
