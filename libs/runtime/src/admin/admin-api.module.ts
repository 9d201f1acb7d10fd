import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { AuditController } from './audit.controller';

/**
 * Every service's admin API of its own credentials and audit trail: API keys (create, list,
 * rotate, revoke) and the audit export. The stores come from the global AuthModule.
 */
@Module({ controllers: [ApiKeysController, AuditController] })
export class AdminApiModule {}
