import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { OfferOutcomes, OutcomeEvents } from './application/ports';
import { RecordOfferOutcomesHandler } from './application/record-offer-outcomes.handler';
import { OfferOutcomeStore } from './infrastructure/offer-outcome.store';
import { OutcomePublisher } from './infrastructure/outcome.publisher';

/** Offer outcomes: open offers with deadlines, channels' answers, the ignored sweep, learned response counts. */
@Module({
  imports: [CampaignsModule],
  providers: [
    OfferOutcomeStore,
    { provide: OfferOutcomes, useExisting: OfferOutcomeStore },
    OutcomePublisher,
    { provide: OutcomeEvents, useExisting: OutcomePublisher },
    RecordOfferOutcomesHandler,
  ],
  exports: [RecordOfferOutcomesHandler],
})
export class OutcomesModule {}
