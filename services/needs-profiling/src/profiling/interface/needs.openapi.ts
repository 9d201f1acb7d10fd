import { SCOPES } from '@o2o/auth';
import { channelSchema } from '@o2o/contracts';
import { openApiSchema, type ServiceApi } from '@o2o/runtime';
import { NEEDS_ERRORS } from './http-errors';

const notFound = { '404': 'No needs profile for the customer (`not_found`).' };

/** needs-profiling's API: a customer's needs and the next question worth asking. */
export const NEEDS_API: ServiceApi = {
  title: 'needs-profiling: what a customer needs, their relationship stage, and the next question worth asking',
  version: '1.0.0',
  errorCodes: [
    ...new Set(['invalid_request', 'invalid_channel', 'unauthorized', 'forbidden', 'rate_limited', ...NEEDS_ERRORS.map((r) => r.code)]),
  ].join(', '),
  operations: [
    {
      route: 'GET /v1/customers/:id/needs',
      operationId: 'customerNeeds',
      summary:
        'Facts (with source, purpose, confidence), archetypes, the relationship stage with its reason and guidance, and what is still unknown.',
      scope: SCOPES.profilesRead,
      success: { description: 'The needs profile.' },
      errors: notFound,
    },
    {
      route: 'GET /v1/customers/:id/next-question',
      operationId: 'nextQuestion',
      summary:
        'The most valuable question that may be asked now on the channel: its fact unknown or stale, its purpose consented to, not asked within the cooldown, worded for the channel. `question` is null when nothing may be asked.',
      scope: SCOPES.profilesRead,
      parameters: [{ name: 'channel', in: 'query', required: false, schema: openApiSchema(channelSchema) }],
      success: { description: 'The question, or null.' },
      errors: { '400': 'A channel the platform does not know (`invalid_channel`).', ...notFound },
    },
  ],
};
