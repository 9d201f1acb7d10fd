import { RequestMethod } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import { CAMPAIGN_API } from './campaign-api.openapi';
import { CAMPAIGN_CONFIG } from './campaign.tokens';
import { CampaignsModule } from './campaigns/campaigns.module';
import { LiftModule } from './lift/lift.module';
import { NextActionModule } from './next-action/next-action.module';
import type { CampaignCustomizationConfig } from './config/campaign-customization.config';
import { campaignPrivacy } from './privacy/privacy.module';
import { ProfilesModule } from './profiles/profiles.module';
import { ReportsModule } from './reports/reports.module';
import { SegmentsApiModule } from './segments/segments-api.module';

export const campaignCustomizationService: ServiceDefinition<CampaignCustomizationConfig> = {
  name: 'campaign-customization',
  topics: [
    topics.identityEvents,
    topics.identityChanges,
    topics.identitySnapshots,
    topics.valueScores,
    topics.needsProfiles,
    topics.segmentMembership,
    topics.campaignDecisions,
    topics.campaignOutcomes,
  ],
  // Every input topic feeds the one projection write path, which combines concurrent calls.
  concurrentTopics: true,
  // The next-best-action hot path (500 requests/s target): no per-request logger.
  unloggedRoutes: [
    { path: 'v1/customers/by/:type/:value/next-action', method: RequestMethod.GET },
    { path: 'v1/customers/by/:type/:value/next-action', method: RequestMethod.POST },
  ],
  configToken: CAMPAIGN_CONFIG,
  imports: () => [
    ProfilesModule,
    SegmentsApiModule.over(ProfilesModule),
    CampaignsModule,
    NextActionModule,
    LiftModule.over(ProfilesModule),
    ReportsModule,
  ],
  privacy: campaignPrivacy,
  api: () => CAMPAIGN_API,
};
