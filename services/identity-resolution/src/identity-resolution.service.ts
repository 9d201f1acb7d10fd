import { RequestMethod } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import type { IdentityResolutionConfig } from './config/identity-resolution.config';
import { IDENTITY_CONFIG } from './identity.tokens';
import { DataKeyStore } from './keys/infrastructure/data-key.store';
import { KeysModule } from './keys/keys.module';
import { IdentityPrivacyParticipant } from './privacy/application/handle-erasure/identity-privacy.participant';
import { IdentityErasureModule } from './privacy/identity-erasure.module';
import { IdentityPrivacyModule } from './privacy/privacy.module';
import { PrivacyStoreModule } from './privacy/privacy-store.module';
import { installLookupFastPath } from './resolution/interface/lookup-fast-path';
import { IDENTITY_ERRORS } from './resolution/interface/http-errors';
import { ResolutionModule } from './resolution/resolution.module';
import { RESOLUTION_OPERATIONS } from './resolution/interface/resolution.openapi';
import { DATA_KEYS_OPERATIONS } from './keys/interface/data-keys.openapi';
import { PRIVACY_OPERATIONS } from './privacy/interface/privacy.openapi';

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
  privacy: { imports: [ResolutionModule, PrivacyStoreModule, IdentityErasureModule], participant: IdentityPrivacyParticipant },
  errors: { rules: IDENTITY_ERRORS },
  api: () => ({
    title: 'identity-resolution: customers by any identifier, merges and splits, matching, privacy requests, data keys',
    version: '1.0.0',
    errorCodes: [
      ...new Set([
        'invalid_request',
        'invalid_json',
        'unauthorized',
        'forbidden',
        'not_found',
        'rate_limited',
        'gone',
        'incomplete',
        'training_in_progress',
        'invalid_identifier_type',
        'configured_identifier_type',
        'invalid_identity_rules',
        ...IDENTITY_ERRORS.map((r) => r.code),
      ]),
    ].join(', '),
    operations: [...RESOLUTION_OPERATIONS, ...PRIVACY_OPERATIONS, ...DATA_KEYS_OPERATIONS],
  }),
  configureHttp: (app) => installLookupFastPath(app),
};
