import { SCOPES } from '@o2o/auth';
import { rotationSchema, type ApiOperation } from '@o2o/runtime';
import { createSourceSchema } from './sources-admin.controller';

const scope = SCOPES.sourcesAdmin;
const source = {
  type: 'object',
  description: 'The source: id, name, channel, whether it is enabled, its keys (hashes only) and when they expire.',
};
const notFound = { '404': 'No such source.' };

/** The sources admin API's routes, for ingestion's OpenAPI document. */
export const SOURCES_ADMIN_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'POST /admin/v1/sources',
    operationId: 'createSource',
    summary: 'A source with its write key (and signing secret when signatures are required), shown in this answer only.',
    scope,
    body: createSourceSchema,
    success: { status: 201, description: 'The source, its write key and signing secret.', schema: source },
  },
  {
    route: 'GET /admin/v1/sources',
    operationId: 'listSources',
    summary: 'Every source.',
    scope,
    success: {
      description: 'The sources.',
      schema: { type: 'object', required: ['sources'], properties: { sources: { type: 'array', items: source } } },
    },
  },
  {
    route: 'GET /admin/v1/sources/:id',
    operationId: 'getSource',
    summary: 'One source.',
    scope,
    success: { description: 'The source.', schema: source },
    errors: notFound,
  },
  {
    route: 'POST /admin/v1/sources/:id/rotate',
    operationId: 'rotateSourceKey',
    summary: 'A new write key; the old ones keep working for `graceSeconds` so senders can switch.',
    scope,
    body: rotationSchema,
    success: { description: 'The source and its new write key, shown in this answer only.', schema: source },
    errors: notFound,
  },
  {
    route: 'POST /admin/v1/sources/:id/disable',
    operationId: 'disableSource',
    summary: "The source's calls are refused (403) until it is enabled again.",
    scope,
    success: { description: 'The source.', schema: source },
    errors: notFound,
  },
  {
    route: 'POST /admin/v1/sources/:id/enable',
    operationId: 'enableSource',
    summary: 'The source is taken again.',
    scope,
    success: { description: 'The source.', schema: source },
    errors: notFound,
  },
];
