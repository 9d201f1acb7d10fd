import { Module } from '@nestjs/common';
import { PrivacyStoreModule } from '../privacy/privacy-store.module';
import { DecideReviewHandler } from './application/decide-review/decide-review.handler';
import { ReviewQueue } from './application/decide-review/review-queue.port';
import { ExplainCustomerQuery } from './application/explain-customer/explain-customer.query';
import { LookupIdentityQuery } from './application/lookup-identity/lookup-identity.query';
import { ResolveEventsHandler } from './application/resolve-events/resolve-events.handler';
import { MergeCustomersHandler } from './application/merge-customers/merge-customers.handler';
import { MergeEvents, MergeGraph, MergeRules } from './application/merge-customers/merge-customers.ports';
import { MigrateCustomerIdsHandler } from './application/migrate-customer-ids/migrate-customer-ids.handler';
import { SplitCustomerHandler } from './application/split-customer/split-customer.handler';
import { TrainMatchingHandler } from './application/train-matching/train-matching.handler';
import { EstimationRunner } from './infrastructure/estimation.runner';
import { IdentityCollections } from './infrastructure/identity-graph.collections';
import { IdentityEventsPublisher } from './infrastructure/identity-events.publisher';
import { IdentityGraphRepository } from './infrastructure/identity-graph.repository';
import { HistoryRetention } from './infrastructure/history-retention';
import { IdentifierRetention } from './infrastructure/identifier-retention';
import { IdentityLookupCache } from './infrastructure/identity-lookup.cache';
import { LocalLookupCache } from './infrastructure/local-lookup.cache';
import { MatchParametersRepository } from './infrastructure/match-parameters.repository';
import { ReviewQueueRepository } from './infrastructure/review-queue.repository';
import { TermFrequencyStore } from './infrastructure/term-frequency.store';
import { WriteSerializer } from './infrastructure/write-serializer';
import { CustomersController } from './interface/customers.controller';
import { IdentitiesController } from './interface/identities.controller';
import { IdentifierTypesController } from './interface/identifier-types.controller';
import { IdentityRulesProvider } from './infrastructure/identity-rules.provider';
import { MatchingController } from './interface/matching.controller';
import { ReceivedEventsConsumer } from './interface/received-events.consumer';
import { ReviewController } from './interface/review.controller';
import { GraphOutboxRelay } from './interface/graph-outbox.relay';
import { TrainingScheduler } from './interface/training.scheduler';

@Module({
  imports: [PrivacyStoreModule],
  controllers: [
    ReceivedEventsConsumer,
    IdentitiesController,
    CustomersController,
    ReviewController,
    MatchingController,
    IdentifierTypesController,
  ],
  providers: [
    IdentityCollections,
    IdentityRulesProvider,
    IdentityGraphRepository,
    IdentifierRetention,
    HistoryRetention,
    TermFrequencyStore,
    WriteSerializer,
    LocalLookupCache,
    IdentityLookupCache,
    IdentityEventsPublisher,
    MatchParametersRepository,
    ReviewQueueRepository,
    ResolveEventsHandler,
    LookupIdentityQuery,
    ExplainCustomerQuery,
    SplitCustomerHandler,
    MigrateCustomerIdsHandler,
    MergeCustomersHandler,
    { provide: MergeGraph, useExisting: IdentityGraphRepository },
    { provide: MergeEvents, useExisting: IdentityEventsPublisher },
    { provide: MergeRules, useExisting: IdentityRulesProvider },
    { provide: ReviewQueue, useExisting: ReviewQueueRepository },
    DecideReviewHandler,
    EstimationRunner,
    TrainMatchingHandler,
    TrainingScheduler,
    GraphOutboxRelay,
  ],
  exports: [IdentityCollections, IdentityLookupCache, LookupIdentityQuery, IdentityRulesProvider],
})
export class ResolutionModule {}
