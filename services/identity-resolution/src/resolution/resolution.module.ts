import { Module } from '@nestjs/common';
import { PrivacyStoreModule } from '../privacy/privacy-store.module';
import { DecideReviewHandler } from './application/decide-review/decide-review.handler';
import { ReviewQueue } from './application/decide-review/review-queue.port';
import { ExplainCustomerQuery } from './application/explain-customer/explain-customer.query';
import { LookupIdentityQuery } from './application/lookup-identity/lookup-identity.query';
import { ResolveEventsHandler } from './application/resolve-events/resolve-events.handler';
import { MergeCustomersHandler } from './application/merge-customers/merge-customers.handler';
import { MergeGraph } from './application/merge-customers/merge-customers.ports';
import { ExplainGraph } from './application/explain-customer/explain-customer.ports';
import { LookupGraph } from './application/lookup-identity/lookup-identity.ports';
import { MigrationGraph } from './application/migrate-customer-ids/migrate-customer-ids.ports';
import { IdentityEvents } from './application/ports/identity-events.port';
import { LookupCache } from './application/ports/lookup-cache.port';
import { MatchParametersInForce, ResolutionGraph } from './application/ports/resolution-graph.port';
import { RulesInForce } from './application/ports/rules-in-force.port';
import { SplitGraph } from './application/split-customer/split-customer.ports';
import { ParameterEstimator, TermFrequencySnapshots, TrainingStore } from './application/train-matching/train-matching.ports';
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
    { provide: RulesInForce, useExisting: IdentityRulesProvider },
    // One repository of the graph; each use case sees it through the port of what it needs.
    IdentityGraphRepository,
    { provide: ResolutionGraph, useExisting: IdentityGraphRepository },
    { provide: MergeGraph, useExisting: IdentityGraphRepository },
    { provide: SplitGraph, useExisting: IdentityGraphRepository },
    { provide: MigrationGraph, useExisting: IdentityGraphRepository },
    { provide: LookupGraph, useExisting: IdentityGraphRepository },
    { provide: ExplainGraph, useExisting: IdentityGraphRepository },
    IdentifierRetention,
    HistoryRetention,
    TermFrequencyStore,
    { provide: TermFrequencySnapshots, useExisting: TermFrequencyStore },
    WriteSerializer,
    LocalLookupCache,
    IdentityLookupCache,
    { provide: LookupCache, useExisting: IdentityLookupCache },
    IdentityEventsPublisher,
    { provide: IdentityEvents, useExisting: IdentityEventsPublisher },
    MatchParametersRepository,
    { provide: MatchParametersInForce, useExisting: MatchParametersRepository },
    { provide: TrainingStore, useExisting: MatchParametersRepository },
    ReviewQueueRepository,
    { provide: ReviewQueue, useExisting: ReviewQueueRepository },
    EstimationRunner,
    { provide: ParameterEstimator, useExisting: EstimationRunner },
    ResolveEventsHandler,
    LookupIdentityQuery,
    ExplainCustomerQuery,
    SplitCustomerHandler,
    MigrateCustomerIdsHandler,
    MergeCustomersHandler,
    DecideReviewHandler,
    TrainMatchingHandler,
    TrainingScheduler,
    GraphOutboxRelay,
  ],
  exports: [IdentityCollections, LookupCache, LookupIdentityQuery, IdentityRulesProvider],
})
export class ResolutionModule {}
