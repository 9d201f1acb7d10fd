import { Module } from '@nestjs/common';
import { SCOPES } from '@o2o/auth';
import type { ApiOperation } from '../openapi';
import { apiKeyCreateSchema, ApiKeysController } from './api-keys.controller';
import { auditQuerySchema, AuditController } from './audit.controller';
import { rotationSchema } from './rotation';

/**
 * Every service's admin API of its own credentials and audit trail: API keys (create, list,
 * rotate, revoke) and the audit export. The stores come from the global AuthModule.
 */
@Module({ controllers: [ApiKeysController, AuditController] })
export class AdminApiModule {}

const apiKeyView = {
  type: 'object',
  required: ['id', 'owner', 'scopes', 'createdAt'],
  properties: {
    id: { type: 'string' },
    owner: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    rotatedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time' },
  },
};
const withKey = {
  ...apiKeyView,
  required: [...apiKeyView.required, 'key'],
  properties: { ...apiKeyView.properties, key: { type: 'string', description: 'The key, shown in this answer only.' } },
};

/** The admin API's routes, in every service's OpenAPI document (startService adds them). */
export const ADMIN_API_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'POST /admin/v1/api-keys',
    operationId: 'createApiKey',
    summary: 'Creates an API key for a machine client; the key is shown in this answer only.',
    scope: SCOPES.apiKeysAdmin,
    body: apiKeyCreateSchema,
    success: { status: 201, description: 'The key and its record.', schema: withKey },
  },
  {
    route: 'GET /admin/v1/api-keys',
    operationId: 'listApiKeys',
    summary: "This service's API keys, without their secrets.",
    scope: SCOPES.apiKeysAdmin,
    success: {
      description: 'The keys.',
      schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: apiKeyView } } },
    },
  },
  {
    route: 'POST /admin/v1/api-keys/:id/rotate',
    operationId: 'rotateApiKey',
    summary: 'A new secret for the key; the current one keeps working for `graceSeconds`.',
    scope: SCOPES.apiKeysAdmin,
    body: rotationSchema,
    success: { description: 'The new key, shown in this answer only.', schema: withKey },
    errors: { '404': 'No such key.' },
  },
  {
    route: 'POST /admin/v1/api-keys/:id/revoke',
    operationId: 'revokeApiKey',
    summary: 'The key stops working at once.',
    scope: SCOPES.apiKeysAdmin,
    success: { description: 'The revoked key.', schema: apiKeyView },
    errors: { '404': 'No such key.' },
  },
  {
    route: 'GET /admin/v1/audit',
    operationId: 'auditTrail',
    summary:
      "This service's privileged calls (who, what, when, result) in time order, page by page; `next` is the following page's `after`.",
    scope: SCOPES.auditRead,
    query: auditQuerySchema,
    success: {
      description: 'A page of records.',
      schema: {
        type: 'object',
        required: ['records'],
        properties: { records: { type: 'array', items: { type: 'object' } }, next: { type: 'string' } },
      },
    },
  },
];
