import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BackgroundModelJobs } from './models/application/background-model-jobs';
import { ModelJobs } from './models/application/model-jobs.scheduler';
import { ModelRegistry } from './models/application/model.registry';
import { RefitModelsHandler } from './models/application/refit-models/refit-models.handler';
import { RescoreCustomersHandler } from './models/application/rescore-customers/rescore-customers.handler';
import { ModelJobLock } from './models/infrastructure/model-job.lock';
import { ModelFitRunner } from './models/infrastructure/model-fit.runner';
import { ModelJobRunRepository } from './models/infrastructure/model-job-run.repository';
import { ModelJobRun, ModelJobRunSchema } from './models/infrastructure/model-job-run.schema';
import { ModelVersionRepository } from './models/infrastructure/model-version.repository';
import { ModelVersion, ModelVersionSchema, ValuationState, ValuationStateSchema } from './models/infrastructure/model-version.schema';
import { ModelsController } from './models/interface/models.controller';
import { ApplyNeedsProfilesHandler } from './needs/application/apply-needs-profiles.handler';
import { NeedsProfilesConsumer } from './needs/interface/needs-profiles.consumer';
import { ApplyIdentityChangesHandler } from './purchases/application/apply-identity-changes/apply-identity-changes.handler';
import { RecordPurchasesHandler } from './purchases/application/record-purchases/record-purchases.handler';
import { SummaryUpdater } from './purchases/application/update-summaries/summary-updater';
import { PurchaseSummaryRepository } from './purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummary, PurchaseSummarySchema } from './purchases/infrastructure/purchase-summary.schema';
import { ValueEventsConsumer } from './purchases/interface/value-events.consumer';
import { CustomerScorer } from './valuation/application/customer.scorer';
import { CustomerValueController } from './valuation/interface/customer-value.controller';
import { ValueReportController } from './valuation/interface/value-report.controller';
import { CostModelRegistry } from './costs/application/cost-model.registry';
import { CostModelRepository } from './costs/infrastructure/cost-model.repository';
import { StoredCostModel, StoredCostModelSchema } from './costs/infrastructure/cost-model.schema';
import { CostModelController } from './costs/interface/cost-model.controller';
import { OpenApiController } from './valuation/interface/openapi.controller';

/**
 * One feature module: live scoring, the model jobs and the API share the scorer and the model
 * registry, and splitting them into modules would only add a cycle of exports.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PurchaseSummary.name, schema: PurchaseSummarySchema },
      { name: ModelVersion.name, schema: ModelVersionSchema },
      { name: ValuationState.name, schema: ValuationStateSchema },
      { name: ModelJobRun.name, schema: ModelJobRunSchema },
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
    OpenApiController,
  ],
  providers: [
    PurchaseSummaryRepository,
    ModelVersionRepository,
    ModelJobLock,
    ModelRegistry,
    CostModelRepository,
    CostModelRegistry,
    CustomerScorer,
    SummaryUpdater,
    RecordPurchasesHandler,
    ApplyIdentityChangesHandler,
    ApplyNeedsProfilesHandler,
    ModelFitRunner,
    RefitModelsHandler,
    RescoreCustomersHandler,
    ModelJobs,
    ModelJobRunRepository,
    BackgroundModelJobs,
  ],
})
export class ValueScoringModule {}
