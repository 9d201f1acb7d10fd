import { Module } from '@nestjs/common';
import { SegmentsModule } from '../segments/segments.module';
import { ManageCampaignsHandler } from './application/manage-campaigns/manage-campaigns.handler';
import { CampaignChangeNotices, LiveCampaigns, StoredCampaigns } from './application/ports';
import { RedisCampaignChangeNotices } from './infrastructure/campaign-change.notices';
import { CampaignCatalog } from './infrastructure/campaign.catalog';
import { CampaignRepository } from './infrastructure/campaign.repository';
import { CampaignsController } from './interface/campaigns.controller';

/** Campaign definitions as stored, the cached list the hot paths read, and their management API. */
@Module({
  imports: [SegmentsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignRepository,
    CampaignCatalog,
    RedisCampaignChangeNotices,
    { provide: CampaignChangeNotices, useExisting: RedisCampaignChangeNotices },
    { provide: StoredCampaigns, useExisting: CampaignRepository },
    { provide: LiveCampaigns, useExisting: CampaignCatalog },
    ManageCampaignsHandler,
  ],
  exports: [StoredCampaigns, LiveCampaigns],
})
export class CampaignsModule {}
