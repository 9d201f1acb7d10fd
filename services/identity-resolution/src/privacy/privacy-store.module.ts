import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { IdentityResolutionConfig } from '../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../identity.tokens';
import { LateEventFilter } from './application/late-event.filter';
import { ErasedIdentifiers, PrivacyRequests } from './application/ports/privacy-records.port';
import {
  ErasedIdentifier,
  ErasedIdentifierSchema,
  PrivacyAudit,
  PrivacyAuditSchema,
  PrivacyRequest,
  PrivacyRequestSchema,
} from './infrastructure/privacy.schema';
import { PrivacyRepository } from './infrastructure/privacy.repository';
import { PRIVACY_SETTINGS, PrivacySettings } from './privacy.tokens';

/**
 * Privacy records and the late-event filter: used by the orchestrator and by resolution (which
 * must not recreate an erased customer), so it is its own module and neither imports the other.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PrivacyRequest.name, schema: PrivacyRequestSchema },
      { name: ErasedIdentifier.name, schema: ErasedIdentifierSchema },
      { name: PrivacyAudit.name, schema: PrivacyAuditSchema },
    ]),
  ],
  providers: [
    {
      provide: PRIVACY_SETTINGS,
      inject: [IDENTITY_CONFIG],
      useFactory: (config: IdentityResolutionConfig): PrivacySettings => ({
        services: config.PRIVACY_SERVICES,
        pseudonymKey: config.PRIVACY_PSEUDONYM_KEY,
        lateEventPolicy: config.PRIVACY_LATE_EVENT_POLICY,
        exportTimeoutMs: config.PRIVACY_EXPORT_TIMEOUT_MS,
        outboxRelayMs: config.PRIVACY_OUTBOX_RELAY_MS,
      }),
    },
    PrivacyRepository,
    { provide: PrivacyRequests, useExisting: PrivacyRepository },
    { provide: ErasedIdentifiers, useExisting: PrivacyRepository },
    LateEventFilter,
  ],
  exports: [PRIVACY_SETTINGS, PrivacyRepository, PrivacyRequests, ErasedIdentifiers, LateEventFilter],
})
export class PrivacyStoreModule {}
