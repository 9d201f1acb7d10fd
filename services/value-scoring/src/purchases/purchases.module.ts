import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RecordPurchasesHandler } from './application/record-purchases/record-purchases.handler';
import { PurchaseSummary, PurchaseSummarySchema } from './infrastructure/purchase-summary.schema';
import { PurchaseSummaryRepository } from './infrastructure/purchase-summary.repository';
import { ValueEventsConsumer } from './interface/value-events.consumer';

@Module({
  imports: [MongooseModule.forFeature([{ name: PurchaseSummary.name, schema: PurchaseSummarySchema }])],
  controllers: [ValueEventsConsumer],
  providers: [RecordPurchasesHandler, PurchaseSummaryRepository],
})
export class PurchasesModule {}
