import { SCOPES } from '@o2o/auth';
import type { ApiOperation } from '@o2o/runtime';
import { lookupBody, subjectsBody } from './data-keys.controller';

const keys = (description: string) => ({
  description,
  schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
});

/** The key store's routes, for the platform's services (publishers seal, consumers open); answers are no-store. */
export const DATA_KEYS_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'POST /v1/data-keys/subjects',
    operationId: 'dataKeysForSubjects',
    summary: 'The current key of each subject (base64), created when it has none; a destroyed one is never brought back.',
    scope: SCOPES.dataKeysUse,
    body: subjectsBody,
    success: keys('Each subject with its key id and key.'),
  },
  {
    route: 'POST /v1/data-keys/lookup',
    operationId: 'dataKeysById',
    summary: 'Keys by id (base64); an id missing from the answer was destroyed by an erasure.',
    scope: SCOPES.dataKeysUse,
    body: lookupBody,
    success: keys('Each key found.'),
  },
];
