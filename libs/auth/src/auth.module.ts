import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ApiKeyStore } from './api-keys';
import { ApiKeysController } from './api-keys.controller';
import { AuthGuard } from './auth.guard';
import type { AuthSettings } from './auth-settings';
import { Authenticator } from './authenticator';
import { TokenVerifier } from './token-verifier';

/**
 * Credentials on every route of a service: the global AuthGuard, the token verifier, the
 * service's API keys (in its own database) and their admin API. Needs the service's mongoose
 * connection (libs/mongo MongoModule).
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(settings: AuthSettings): DynamicModule {
    return {
      module: AuthModule,
      imports: [DiscoveryModule],
      controllers: [ApiKeysController],
      providers: [
        { provide: TokenVerifier, useFactory: () => new TokenVerifier(settings) },
        { provide: ApiKeyStore, useFactory: (connection: Connection) => new ApiKeyStore(connection, settings), inject: [getConnectionToken()] },
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [Authenticator, ApiKeyStore, TokenVerifier],
    };
  }
}
