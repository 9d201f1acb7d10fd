import { Module } from '@nestjs/common';
import type { PrivacySettings } from '@o2o/runtime';
import { ProfilesModule } from '../profiles/profiles.module';
import { SegmentsModule } from '../segments/segments.module';
import { CampaignPrivacyParticipant } from './application/handle-erasure/campaign-privacy.participant';
import { CampaignPersonalData } from './application/ports';
import { CampaignPersonalDataStore } from './infrastructure/campaign-personal-data.store';

/** The stores access and erasure reach (the projection's, through ProfilesModule's identifier index) and the membership topic. */
@Module({
  imports: [ProfilesModule, SegmentsModule],
  providers: [CampaignPersonalDataStore, { provide: CampaignPersonalData, useExisting: CampaignPersonalDataStore }],
  exports: [CampaignPersonalData, SegmentsModule],
})
export class CampaignPrivacyModule {}

/** The service's privacy participant, for the shared privacy-requests consumer. */
export const campaignPrivacy: PrivacySettings = {
  imports: [CampaignPrivacyModule],
  participant: CampaignPrivacyParticipant,
};
