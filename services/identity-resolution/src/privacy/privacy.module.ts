import { Module } from '@nestjs/common';
import { ResolutionModule } from '../resolution/resolution.module';
import { CUSTOMER_LOOKUP } from './application/customer-lookup.port';
import { GraphCustomerLookup } from './application/graph-customer.lookup';
import { RequestPrivacyHandler } from './application/request-privacy/request-privacy.handler';
import { PrivacyResponsesConsumer } from './interface/privacy-responses.consumer';
import { PrivacyController } from './interface/privacy.controller';
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
    { provide: CUSTOMER_LOOKUP, useExisting: GraphCustomerLookup },
  ],
})
export class IdentityPrivacyModule {}
