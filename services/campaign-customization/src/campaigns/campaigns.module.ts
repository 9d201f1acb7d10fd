import { Module } from '@nestjs/common';
import { CampaignCatalog } from './infrastructure/campaign.catalog';
import { CampaignRepository } from './infrastructure/campaign.repository';

/** Campaign definitions as stored, and the cached list the hot paths read. */
@Module({
  providers: [CampaignRepository, CampaignCatalog],
  exports: [CampaignRepository, CampaignCatalog],
})
export class CampaignsModule {}
