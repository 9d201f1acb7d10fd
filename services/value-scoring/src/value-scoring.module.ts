import { Module } from '@nestjs/common';
import { ExactlyOnceBatches, KAFKA } from '@o2o/kafka';
import { LOGGER, Logger } from '@o2o/observability';
import type { Kafka } from 'kafkajs';
import type { ValueScoringConfig } from './config/value-scoring.config';
import { VALUE_CONFIG } from './value.tokens';
import { MongooseModule } from '@nestjs/mongoose';
import { BackgroundModelJobs } from './models/application/background-model-jobs';
import { ModelJobs } from './models/application/model-jobs.scheduler';
import { ModelRegistry } from './models/application/model.registry';
import { RefitModelsHandler } from './models/application/refit-models/refit-models.handler';
import { RescoreCustomersHandler } from './models/application/rescore-customers/rescore-customers.handler';
import { ModelJobLock } from './models/infrastructure/model-job.lock';
import { KafkaWalkPageTransactions, walkTransactionalId } from './models/infrastructure/kafka-walk-page.transactions';
import { WalkPageTransactions } from './models/application/ports/walk-page.transactions';
import { ModelFitRunner } from './models/infrastructure/model-fit.runner';
import { ModelJobRunRepository } from './models/infrastructure/model-job-run.repository';
import { ModelJobRunRecord, ModelJobRunSchema } from './models/infrastructure/model-job-run.schema';
import { ModelJobRuns } from './models/application/ports/model-job-runs.port';
import { ModelJobLease } from './models/application/ports/model-job.lease';
import { ModelFitter } from './models/application/ports/model-fitter.port';
import { CostModelStore } from './costs/application/ports/cost-model.store';
import { ModelVersionRepository } from './models/infrastructure/model-version.repository';
import {
  ModelVersionRecord,
  ModelVersionSchema,
  ValuationStateRecord,
  ValuationStateSchema,
} from './models/infrastructure/model-version.schema';
import { ModelVersions } from './models/application/ports/model-versions.port';
import { ModelsController } from './models/interface/models.controller';
import { ApplyNeedsProfilesHandler } from './needs/application/apply-needs-profiles.handler';
import { NeedsProfilesConsumer } from './needs/interface/needs-profiles.consumer';
import { ApplyIdentityChangesHandler } from './purchases/application/apply-identity-changes/apply-identity-changes.handler';
import { RecordPurchasesHandler } from './purchases/application/record-purchases/record-purchases.handler';
import { SummaryUpdater } from './purchases/application/update-summaries/summary-updater';
import { PurchaseSummaryRepository } from './purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from './purchases/infrastructure/purchase-summary.schema';
import { PurchaseSummaries } from './purchases/application/ports/purchase-summaries.port';
import { ValueStatePublisher } from './purchases/application/ports/value-state.publisher';
import { KafkaValueStatePublisher } from './purchases/infrastructure/kafka-value-state.publisher';
import { Clock } from './shared-kernel/application/clock';
import { SystemClock } from './shared-kernel/infrastructure/system.clock';
import { CostModels, ValueModels } from './valuation/application/ports/valuation-inputs.port';
import { ValueEventsConsumer } from './purchases/interface/value-events.consumer';
import { CustomerScorer } from './valuation/application/customer.scorer';
import { CustomerValueController } from './value-queries/interface/customer-value.controller';
import { ValueReportController } from './value-queries/interface/value-report.controller';
import { GetCustomerValueHandler } from './value-queries/application/get-customer-value/get-customer-value.query';
import { ValueReportHandler } from './value-queries/application/value-report/value-report.query';
import { MostGrowableHandler } from './value-queries/application/most-growable/most-growable.query';
import { CostModelRegistry } from './costs/application/cost-model.registry';
import { CostModelRepository } from './costs/infrastructure/cost-model.repository';
import { StoredCostModel, StoredCostModelSchema } from './costs/infrastructure/cost-model.schema';
import { CostModelController } from './costs/interface/cost-model.controller';

/**
 * One feature module: live scoring, the model jobs and the API share the scorer and the model
 * registry, and splitting them into modules would only add a cycle of exports.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PurchaseSummaryRecord.name, schema: PurchaseSummarySchema },
      { name: ModelVersionRecord.name, schema: ModelVersionSchema },
      { name: ValuationStateRecord.name, schema: ValuationStateSchema },
      { name: ModelJobRunRecord.name, schema: ModelJobRunSchema },
      { name: StoredCostModel.name, schema: StoredCostModelSchema },
    ]),
  ],
  controllers: [
    ValueEventsConsumer,
    NeedsProfilesConsumer,
    ModelsController,
    CustomerValueController,
    ValueReportController,
    CostModelController,
  ],
  providers: [
    PurchaseSummaryRepository,
    { provide: PurchaseSummaries, useExisting: PurchaseSummaryRepository },
    KafkaValueStatePublisher,
    { provide: ValueStatePublisher, useExisting: KafkaValueStatePublisher },
    SystemClock,
    { provide: Clock, useExisting: SystemClock },
    ModelVersionRepository,
    { provide: ModelVersions, useExisting: ModelVersionRepository },
    ModelJobLock,
    { provide: ModelJobLease, useExisting: ModelJobLock },
    ModelRegistry,
    { provide: ValueModels, useExisting: ModelRegistry },
    CostModelRepository,
    { provide: CostModelStore, useExisting: CostModelRepository },
    CostModelRegistry,
    { provide: CostModels, useExisting: CostModelRegistry },
    CustomerScorer,
    SummaryUpdater,
    RecordPurchasesHandler,
    ApplyIdentityChangesHandler,
    ApplyNeedsProfilesHandler,
    ModelFitRunner,
    { provide: ModelFitter, useExisting: ModelFitRunner },
    RefitModelsHandler,
    {
      provide: WalkPageTransactions,
      useFactory: (kafka: Kafka, config: ValueScoringConfig, logger: Logger) =>
        new KafkaWalkPageTransactions(
          () =>
            new ExactlyOnceBatches(
              kafka,
              { transactionalId: walkTransactionalId(config), transactionTimeoutMs: config.KAFKA_TRANSACTION_TIMEOUT_MS },
              logger,
            ),
        ),
      inject: [KAFKA, VALUE_CONFIG, LOGGER],
    },
    RescoreCustomersHandler,
    ModelJobs,
    ModelJobRunRepository,
    { provide: ModelJobRuns, useExisting: ModelJobRunRepository },
    BackgroundModelJobs,
    GetCustomerValueHandler,
    ValueReportHandler,
    MostGrowableHandler,
  ],
})
export class ValueScoringModule {}
