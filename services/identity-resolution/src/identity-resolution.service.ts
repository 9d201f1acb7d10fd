import { RequestMethod } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { IdentityResolutionConfig } from './config/identity-resolution.config';
import { IDENTITY_CONFIG } from './identity.tokens';
import { DataKeyStore } from './keys/infrastructure/data-key.store';
import { KeysModule } from './keys/keys.module';
import { IdentityPrivacyParticipant } from './privacy/application/handle-erasure/identity-privacy.participant';
import { IdentityPrivacyModule } from './privacy/privacy.module';
import { PrivacyStoreModule } from './privacy/privacy-store.module';
import { installLookupFastPath } from './resolution/interface/lookup-fast-path';
import { IDENTITY_ERRORS } from './resolution/interface/http-errors';
import { ResolutionModule } from './resolution/resolution.module';

export const identityResolutionService: ServiceDefinition<IdentityResolutionConfig> = {
  name: 'identity-resolution',
  topics: [topics.ingestEvents, topics.identityEvents, topics.identityChanges, topics.identitySnapshots],
  // The lookup hot path (1,000 requests/s target): no per-request logger.
  unloggedRoutes: [{ path: 'v1/identities/:type/:value', method: RequestMethod.GET }],
  configToken: IDENTITY_CONFIG,
  // A kill between publishing a batch's resolved events and committing its offsets published them
  // again on restart: handler calls and their offsets now commit in one Kafka transaction.
  exactlyOnce: true,
  imports: () => [ResolutionModule, IdentityPrivacyModule, KeysModule],
  // The platform's data keys (crypto-shredding): this service knows every subject of a customer and runs erasure.
  dataKeyStore: DataKeyStore,
  privacy: { imports: [ResolutionModule, PrivacyStoreModule], participant: IdentityPrivacyParticipant },
  errors: { rules: IDENTITY_ERRORS },
  configureHttp: (app) => installLookupFastPath(app),
};
