import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ApiKeyStore } from './api-keys';
import { AuditTrail } from './audit-trail';
import { AuthGuard } from './auth.guard';
import type { AuthSettings } from './auth-settings';
import { Authenticator } from './authenticator';
import { TokenVerifier } from './token-verifier';

/** The audit trail's settings. */
export interface AuditSettings {
  /** The service's name, in each record. */
  service: string;
  /** Key of the keyed hash that stands in for identifier values in records (PRIVACY_PSEUDONYM_KEY). */
  pseudonymKey: string;
  /** Records older than this are removed. */
  retentionDays: number;
}

/**
 * Credentials on every route of a service: the global AuthGuard, the token verifier, the
 * service's API keys (in its own database), and the audit trail of privileged calls (recorded by
 * the onResponse hook startService installs); their admin API is libs/runtime's AdminApiModule. Needs the service's mongoose
 * connection (libs/mongo MongoModule).
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(settings: AuthSettings, audit: AuditSettings): DynamicModule {
    return {
      module: AuthModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: TokenVerifier, useFactory: () => new TokenVerifier(settings) },
        {
          provide: ApiKeyStore,
          useFactory: (connection: Connection) => new ApiKeyStore(connection, settings),
          inject: [getConnectionToken()],
        },
        Authenticator,
        {
          provide: AuditTrail,
          useFactory: (connection: Connection) => new AuditTrail(connection, audit.service, audit.pseudonymKey, audit.retentionDays),
          inject: [getConnectionToken()],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [Authenticator, ApiKeyStore, TokenVerifier, AuditTrail],
    };
  }
}
