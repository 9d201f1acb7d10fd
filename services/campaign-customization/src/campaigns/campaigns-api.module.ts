import { Module } from '@nestjs/common';
import { MeasureLiftHandler } from '../lift/application/measure-lift/measure-lift.handler';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { SegmentsModule } from '../segments/segments.module';
import { DecideNextActionHandler } from './application/decide-next-action/decide-next-action.handler';
import { ReadContactsQuery } from './application/read-contacts/read-contacts.query';
import { ManageCampaignsHandler } from './application/manage-campaigns/manage-campaigns.handler';
import { CampaignsModule } from './campaigns.module';
import { ContactCounterStore } from './infrastructure/contact-counter.store';
import { CustomerLookup } from './infrastructure/customer.lookup';
import { DecisionRequestStore } from './infrastructure/decision-request.store';
import { DecisionPublisher } from './infrastructure/decision.publisher';
import { CampaignsController } from './interface/campaigns.controller';
import { NextActionController } from './interface/next-action.controller';
import { SegmentEntriesConsumer } from './interface/segment-entries.consumer';
import { OutboundOnEntryHandler } from './application/outbound-on-entry/outbound-on-entry.handler';

/** Campaign management, next best action with caps and control groups, and lift. */
@Module({
  imports: [CampaignsModule, SegmentsModule, ProfilesModule, OutcomesModule],
  controllers: [CampaignsController, NextActionController, SegmentEntriesConsumer],
  providers: [ManageCampaignsHandler, DecideNextActionHandler, OutboundOnEntryHandler, MeasureLiftHandler, ContactCounterStore, CustomerLookup, DecisionPublisher, DecisionRequestStore, ReadContactsQuery],
})
export class CampaignsApiModule {}
