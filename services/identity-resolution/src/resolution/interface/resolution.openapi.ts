import { SCOPES } from '@o2o/auth';
import type { ApiOperation } from '@o2o/runtime';
import { identifierTypeRuleSchema } from '../../matching/domain';
import { mergeBody, migrationBody, splitBody } from './customers.controller';
import { reviewDecisionBody, reviewListQuery } from './review.controller';

const identifierParameters =
  'The identifier type (email, phone, customerId, a type added at run time...) and its value, normalised as events are.';

/** The resolution API's routes (lookups, explanations, merges and splits, the review queue, matching, identifier types). */
export const RESOLUTION_OPERATIONS: readonly ApiOperation[] = [
  {
    route: 'GET /v1/identities/:type/:value',
    operationId: 'lookupIdentity',
    summary: 'The customer owning an identifier, with all its identifiers.',
    description: identifierParameters,
    scope: SCOPES.profilesRead,
    success: {
      description: 'The customer and its identifiers.',
      schema: {
        type: 'object',
        required: ['customerId', 'identifiers'],
        properties: { customerId: { type: 'string' }, identifiers: { type: 'array', items: { type: 'object' } } },
      },
    },
    errors: {
      '400': 'An unknown identifier type or a malformed value (`invalid_identifier`).',
      '404': 'No customer has the identifier.',
      '409': 'The identifier is held by several customers (`ambiguous_identifier`, with `customerIds`).',
    },
  },
  {
    route: 'POST /v1/customers/id-migration',
    operationId: 'migrateCustomerIds',
    summary:
      'Renames one page of customers still named by the unkeyed hash of an identifier to their keyed id, each published as a merge; call again with `after: next` until no next is returned.',
    scope: SCOPES.matchingWrite,
    body: migrationBody,
    success: { description: 'The page migrated and the next `after`.' },
  },
  {
    route: 'GET /v1/customers/:id/explain',
    operationId: 'explainCustomer',
    summary: 'Why these are one customer: identifiers with their evidence, merges with their reasons, related customers.',
    scope: SCOPES.matchingRead,
    success: { description: 'The explanation.' },
    errors: { '404': 'No such customer (`customer_not_found`).', '409': 'The customer was merged (`customer_merged`, with `survivorId`).' },
  },
  {
    route: 'GET /v1/customers/:id/links',
    operationId: 'customerLinks',
    summary:
      'For customer-facing people: each identifier with why it was linked (rule, through which identifier, when), the merges with their reasons, and related customers; no match evidence or parameters.',
    scope: SCOPES.profilesRead,
    success: { description: 'The links.' },
    errors: { '404': 'No such customer (`customer_not_found`).', '409': 'The customer was merged (`customer_merged`, with `survivorId`).' },
  },
  {
    route: 'POST /v1/customers/:id/split',
    operationId: 'splitCustomer',
    summary: 'Undoes merges into the customer (all of them, or the `customerIds` named), publishing customer.split and fresh snapshots.',
    scope: SCOPES.matchingWrite,
    body: splitBody,
    success: { description: 'The customers split off.' },
    errors: {
      '404': 'No such customer (`customer_not_found`).',
      '409': 'Nothing was merged into it (`nothing_to_split`), or it was merged away.',
    },
  },
  {
    route: 'POST /v1/customers/:id/merge',
    operationId: 'mergeCustomers',
    summary:
      'Merges two customers an operator declared one person, published as any merge is (customer.merged, snapshots); the older survives. The split route undoes it.',
    scope: SCOPES.matchingWrite,
    body: mergeBody,
    success: { description: 'The survivor and the customer merged into it.' },
    errors: {
      '404': 'No such customer (`customer_not_found`).',
      '409':
        'Already one customer (`already_one_customer`), merged away (`customer_merged`), or more identifiers of a type than allowed (`identifier_limit_exceeded`).',
    },
  },
  {
    route: 'GET /v1/review',
    operationId: 'reviewQueue',
    summary: 'Links waiting for a person: probabilistic pairs between the thresholds and links a guard held back.',
    scope: SCOPES.matchingRead,
    query: reviewListQuery,
    success: {
      description: 'The items.',
      schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { type: 'object' } } } },
    },
  },
  {
    route: 'POST /v1/review/:id/accept',
    operationId: 'acceptReview',
    summary: 'Accepts the link: the customers are merged (or the identifier linked).',
    scope: SCOPES.matchingWrite,
    body: reviewDecisionBody,
    success: { description: 'The decision and what it did.' },
    errors: { '404': 'No such review (`review_not_found`).', '409': 'Decided already (`review_already_decided`).' },
  },
  {
    route: 'POST /v1/review/:id/reject',
    operationId: 'rejectReview',
    summary: 'Rejects the link; the pair is not proposed again.',
    scope: SCOPES.matchingWrite,
    body: reviewDecisionBody,
    success: { description: 'The decision.' },
    errors: { '404': 'No such review (`review_not_found`).', '409': 'Decided already (`review_already_decided`).' },
  },
  {
    route: 'GET /v1/matching/parameters',
    operationId: 'matchingParameters',
    summary: 'The current Fellegi-Sunter parameters and the stored versions.',
    scope: SCOPES.matchingRead,
    success: { description: 'The parameters.' },
  },
  {
    route: 'POST /v1/matching/parameters/estimate',
    operationId: 'estimateMatchingParameters',
    summary:
      "Trains now and answers when done: EM over the stored trait records, the estimate checked against people's review decisions, then every record matched again.",
    scope: SCOPES.matchingWrite,
    success: { description: 'The outcome: trained (with the new version) or refused (with the reason).' },
    errors: {
      '409': 'Another training run holds the lease (`training_in_progress`).',
      '422': 'Too few trait records to estimate from (`not_enough_records`).',
    },
  },
  {
    route: 'GET /v1/matching/training',
    operationId: 'trainingStatus',
    summary: "The training job's state: running or idle, the last version made current, the last estimate refused.",
    scope: SCOPES.matchingRead,
    success: { description: 'The state.' },
  },
  {
    route: 'POST /v1/matching/training',
    operationId: 'startTraining',
    summary: 'Starts a training run in the background; follow it with GET /v1/matching/training.',
    scope: SCOPES.matchingWrite,
    success: { status: 202, description: 'Started.' },
  },
  {
    route: 'GET /v1/identifier-types',
    operationId: 'identifierTypes',
    summary: 'Every identifier type (configured and added at run time) with its rule, and the rules version.',
    scope: SCOPES.matchingRead,
    success: { description: 'The types.' },
  },
  {
    route: 'PUT /v1/identifier-types/:type',
    operationId: 'putIdentifierType',
    summary:
      "Adds or changes an identifier type (normaliser, uniqueness, per-customer limit, priority); every instance uses it within MATCHING_PARAMETERS_REFRESH_MS. The type's name starts with a lower-case letter, at most 64 letters and digits.",
    scope: SCOPES.matchingWrite,
    body: identifierTypeRuleSchema,
    success: { description: 'The type, its rule and the new rules version.' },
    errors: {
      '400': 'An invalid type name (`invalid_identifier_type`) or rule (issues name each field).',
      '409':
        'A type set by the configuration (`configured_identifier_type`), or rules that no longer hold together (`invalid_identity_rules`).',
    },
  },
  {
    route: 'DELETE /v1/identifier-types/:type',
    operationId: 'deleteIdentifierType',
    summary: 'Removes a type added through the API.',
    scope: SCOPES.matchingWrite,
    success: { status: 204, description: 'Removed.', empty: true },
    errors: {
      '404': 'No such type added through the API (`unknown_identifier_type`).',
      '409': 'A type set by the configuration (`configured_identifier_type`).',
    },
  },
];
