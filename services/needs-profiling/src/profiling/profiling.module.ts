import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { KafkaPublisher } from '@o2o/kafka';
import { ApplyEventsHandler } from './application/apply-events/apply-events.handler';
import { ApplyValueScoresHandler } from './application/apply-value-scores/apply-value-scores.handler';
import { CustomerValueRecord, CustomerValueRecordSchema, CustomerValueStore } from './infrastructure/customer-value.store';
import { ValueScoresConsumer } from './interface/value-scores.consumer';
import { CustomerValues } from './application/ports/customer-values';
import { NeedsProfileStore } from './application/ports/needs-profile.store';
import { ProfileEventsPublisher } from './application/ports/profile-events.publisher';
import { StageSweepLease } from './application/ports/stage-sweep.lease';
import { FoldMergeHandler } from './application/fold-merge/fold-merge.handler';
import { PublishProfilesHandler } from './application/publish-profiles/publish-profiles.handler';
import { ReadNeedsQuery } from './application/read-needs/read-needs.query';
import { RebuildSplitHandler } from './application/rebuild-split/rebuild-split.handler';
import { SweepStagesHandler } from './application/sweep-stages/sweep-stages.handler';
import { NeedsProfileRepository } from './infrastructure/needs-profile.repository';
import { NeedsProfileRecord, NeedsProfileRecordSchema } from './infrastructure/needs-profile.schema';
import { ProfileLimitsReporter } from './application/profile-limits.reporter';
import { ProfilingMetrics } from './application/profiling.metrics';
import { StageSweepLock } from './infrastructure/stage-sweep.lock';
import { IdentityEventsConsumer } from './interface/identity-events.consumer';
import { OfferOutcomesConsumer } from './interface/offer-outcomes.consumer';
import { NeedsController } from './interface/needs.controller';
import { StageSweepScheduler } from './interface/stage-sweep.scheduler';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: NeedsProfileRecord.name, schema: NeedsProfileRecordSchema },
      { name: CustomerValueRecord.name, schema: CustomerValueRecordSchema },
    ]),
  ],
  controllers: [IdentityEventsConsumer, OfferOutcomesConsumer, ValueScoresConsumer, NeedsController],
  providers: [
    NeedsProfileRepository,
    CustomerValueStore,
    // The application layer's ports, bound to their infrastructure.
    { provide: NeedsProfileStore, useExisting: NeedsProfileRepository },
    { provide: CustomerValues, useExisting: CustomerValueStore },
    { provide: ProfileEventsPublisher, useExisting: KafkaPublisher },
    { provide: StageSweepLease, useExisting: StageSweepLock },
    ApplyValueScoresHandler,
    ProfilingMetrics,
    ProfileLimitsReporter,
    StageSweepLock,
    PublishProfilesHandler,
    ApplyEventsHandler,
    FoldMergeHandler,
    RebuildSplitHandler,
    SweepStagesHandler,
    StageSweepScheduler,
    ReadNeedsQuery,
  ],
})
export class ProfilingModule {}
