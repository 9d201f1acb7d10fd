import { Module } from '@nestjs/common';
import { ResolutionModule } from '../resolution/resolution.module';
import { CustomerLookup } from './application/customer-lookup.port';
import { RequestPrivacyHandler } from './application/request-privacy/request-privacy.handler';
import { PrivacyResponsesConsumer } from './interface/privacy-responses.consumer';
import { PrivacyController } from './interface/privacy.controller';
import { GraphCustomerLookup } from './infrastructure/graph-customer.lookup';
import { PrivacyOutboxRelay } from './interface/privacy-outbox.relay';
import { PrivacyStoreModule } from './privacy-store.module';

/** The privacy orchestrator: requests by any identifier, answers from every service, audit. */
@Module({
  imports: [PrivacyStoreModule, ResolutionModule],
  controllers: [PrivacyController, PrivacyResponsesConsumer],
  providers: [
    RequestPrivacyHandler,
    PrivacyOutboxRelay,
    GraphCustomerLookup,
    { provide: CustomerLookup, useExisting: GraphCustomerLookup },
  ],
})
export class IdentityPrivacyModule {}
