import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { DecideNextActionHandler } from './application/decide-next-action/decide-next-action.handler';
import { OutboundOnEntryHandler } from './application/outbound-on-entry/outbound-on-entry.handler';
import { ContactCaps, ContactHistory, CustomerSnapshots, DecisionEvents } from './application/ports';
import { ReadContactsQuery } from './application/read-contacts/read-contacts.query';
import { ContactCounterStore } from './infrastructure/contact-counter.store';
import { CustomerLookup } from './infrastructure/customer.lookup';
import { DecisionRequestStore } from './infrastructure/decision-request.store';
import { DecisionPublisher } from './infrastructure/decision.publisher';
import { NextActionController } from './interface/next-action.controller';
import { SegmentEntriesConsumer } from './interface/segment-entries.consumer';

/** Next best action with caps and control groups: decisions on request and on segment entry, contacts made. */
@Module({
  imports: [CampaignsModule, ProfilesModule, OutcomesModule],
  controllers: [NextActionController, SegmentEntriesConsumer],
  providers: [
    DecideNextActionHandler,
    OutboundOnEntryHandler,
    ContactCounterStore,
    CustomerLookup,
    { provide: CustomerSnapshots, useExisting: CustomerLookup },
    { provide: ContactHistory, useExisting: ContactCounterStore },
    { provide: ContactCaps, useExisting: ContactCounterStore },
    DecisionPublisher,
    { provide: DecisionEvents, useExisting: DecisionPublisher },
    DecisionRequestStore,
    ReadContactsQuery,
  ],
})
export class NextActionModule {}
