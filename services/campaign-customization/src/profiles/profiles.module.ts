import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { SegmentsModule } from '../segments/segments.module';
import { ApplyProfileChangesHandler } from './application/apply-profile-changes/apply-profile-changes.handler';
import { BackgroundJobsRunner } from './application/run-background-jobs/background-jobs.runner';
import { ProfilesSegmentAudience } from './application/segment-audience';
import { ProfilesCampaignAttribution } from './application/campaign-attribution';
import { CampaignAttribution } from '../lift/application/campaign-attribution.port';
import { SegmentAudience } from '../segments/application/segment-audience.port';
import { CustomerStates, DecisionSnapshots, JobLeases } from './application/ports';
import { CustomerStateRepository } from './infrastructure/customer-state.repository';
import { DecisionSnapshotCache } from './infrastructure/decision-snapshot.cache';
import { IdentifierIndexRepository } from './infrastructure/identifier-index.repository';
import { RedisJobLeases } from './infrastructure/redis-job.leases';
import { ProfileEventsConsumer } from './interface/profile-events.consumer';

/** The combined projection per customer: every input topic, memberships and their outbox, back-fills. */
@Module({
  imports: [SegmentsModule, CampaignsModule, OutcomesModule],
  controllers: [ProfileEventsConsumer],
  providers: [
    CustomerStateRepository,
    { provide: CustomerStates, useExisting: CustomerStateRepository },
    IdentifierIndexRepository,
    DecisionSnapshotCache,
    { provide: DecisionSnapshots, useExisting: DecisionSnapshotCache },
    RedisJobLeases,
    { provide: JobLeases, useExisting: RedisJobLeases },
    ApplyProfileChangesHandler,
    BackgroundJobsRunner,
    { provide: SegmentAudience, useClass: ProfilesSegmentAudience },
    { provide: CampaignAttribution, useClass: ProfilesCampaignAttribution },
  ],
  exports: [CustomerStates, IdentifierIndexRepository, DecisionSnapshots, BackgroundJobsRunner, SegmentAudience, CampaignAttribution],
})
export class ProfilesModule {}
