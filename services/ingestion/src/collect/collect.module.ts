import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AcceptEventsHandler } from './application/accept-events/accept-events.handler';
import { DedupStore } from './infrastructure/dedup.store';
import { IngestionMetrics } from './infrastructure/ingestion.metrics';
import { Source, SourceSchema } from './infrastructure/source.schema';
import { SourceRepository } from './infrastructure/source.repository';
import { IntakeConsumer } from './interface/intake.consumer';
import { TrackingController } from './interface/tracking.controller';

@Module({
  imports: [MongooseModule.forFeature([{ name: Source.name, schema: SourceSchema }])],
  controllers: [TrackingController, IntakeConsumer],
  providers: [AcceptEventsHandler, DedupStore, IngestionMetrics, SourceRepository],
  exports: [SourceRepository],
})
export class CollectModule {}
