import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources/sources.module';
import { SourceRepository } from '../sources/infrastructure/source.repository';
import { AcceptEventsHandler } from './application/accept-events/accept-events.handler';
import { AdmitEventsHandler } from './application/admit-events/admit-events.handler';
import { DedupClaims, EventLog, SourceDirectory, SourceRate } from './application/ports';
import { DedupStore } from './infrastructure/dedup.store';
import { EventLogPublisher } from './infrastructure/event-log.publisher';
import { IngestionMetrics } from './application/ingestion.metrics';
import { SourceRateLimiter } from './infrastructure/source-rate-limiter';
import { IntakeConsumer } from './interface/intake.consumer';
import { TrackingController } from './interface/tracking.controller';

@Module({
  imports: [SourcesModule],
  controllers: [TrackingController, IntakeConsumer],
  providers: [
    AcceptEventsHandler,
    AdmitEventsHandler,
    DedupStore,
    EventLogPublisher,
    IngestionMetrics,
    SourceRateLimiter,
    // The application layer's ports, bound to their infrastructure.
    { provide: SourceDirectory, useExisting: SourceRepository },
    { provide: SourceRate, useExisting: SourceRateLimiter },
    { provide: DedupClaims, useExisting: DedupStore },
    { provide: EventLog, useExisting: EventLogPublisher },
  ],
})
export class CollectModule {}
