import { Module } from '@nestjs/common';
import { ResolutionModule } from '../resolution/resolution.module';
import { CUSTOMER_LOOKUP } from './application/customer-lookup.port';
import { GraphCustomerLookup } from './application/graph-customer.lookup';
import { RequestPrivacyHandler } from './application/request-privacy/request-privacy.handler';
import { PrivacyResponsesConsumer } from './interface/privacy-responses.consumer';
import { PrivacyController } from './interface/privacy.controller';
import { PrivacyStoreModule } from './privacy-store.module';

/** The privacy orchestrator: requests by any identifier, answers from every service, audit. */
@Module({
  imports: [PrivacyStoreModule, ResolutionModule],
  controllers: [PrivacyController, PrivacyResponsesConsumer],
  providers: [RequestPrivacyHandler, GraphCustomerLookup, { provide: CUSTOMER_LOOKUP, useExisting: GraphCustomerLookup }],
})
export class IdentityPrivacyModule {}
