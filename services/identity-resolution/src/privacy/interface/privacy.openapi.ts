import { SCOPES } from '@o2o/auth';
import type { ApiOperation } from '@o2o/runtime';

const started = {
  type: 'object',
  required: ['requestId', 'status', 'statusUrl'],
  properties: { requestId: { type: 'string' }, status: { const: 'pending' }, statusUrl: { type: 'string' } },
};
const unknownCustomer = { '400': 'An unknown identifier type or a malformed value.', '404': 'No customer has the identifier.' };
const incomplete = { '504': 'A service did not answer in time (`incomplete`, with what there is as `partial`).' };

/** Right of access and right to erasure, by any identifier. */
export const PRIVACY_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'POST /v1/privacy/customers/:type/:value/erasure',
    operationId: 'requestErasure',
    summary: 'Starts an erasure: every service deletes and acknowledges. Poll the request for progress.',
    scope: SCOPES.privacyErase,
    success: { status: 202, description: 'Started.', schema: started },
    errors: unknownCustomer,
  },
  {
    route: 'GET /v1/privacy/customers/:type/:value/export',
    operationId: 'exportCustomer',
    summary: 'Everything every service holds about the customer, gathered through the privacy topics (the call is held open).',
    scope: SCOPES.privacyExport,
    success: { description: 'The document, one part per service.' },
    errors: { ...unknownCustomer, ...incomplete },
  },
  {
    route: 'POST /v1/privacy/customers/:type/:value/export',
    operationId: 'startExport',
    summary: 'Starts an export without holding the call open; its document is read from GET /v1/privacy/requests/{id}/export.',
    scope: SCOPES.privacyExport,
    success: {
      status: 202,
      description: 'Started.',
      schema: {
        ...started,
        required: [...started.required, 'documentUrl'],
        properties: { ...started.properties, documentUrl: { type: 'string' } },
      },
    },
    errors: unknownCustomer,
  },
  {
    route: 'GET /v1/privacy/requests/:id/export',
    operationId: 'exportDocument',
    summary:
      'The document of an export started by POST: 202 while services are still answering, 200 with the document once (its parts are dropped as it is served).',
    scope: SCOPES.privacyExport,
    success: { description: 'The document.' },
    errors: { '404': 'No such export request.', '410': 'Served already; its data is not kept (`gone`).', ...incomplete },
  },
  {
    route: 'GET /v1/privacy/requests/:id',
    operationId: 'privacyRequest',
    summary: 'An access or erasure request: its state and which services have answered.',
    scope: SCOPES.privacyRead,
    success: { description: 'The request.' },
    errors: { '404': 'No such request.' },
  },
];
