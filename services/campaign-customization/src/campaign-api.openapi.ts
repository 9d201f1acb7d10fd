import { SCOPES } from '@o2o/auth';
import { openApiSchema, type ApiOperation, type ServiceApi } from '@o2o/runtime';
import { campaignDefinitionSchema } from './campaigns/domain/campaign-definition';
import { slugSchema } from './shared-kernel/domain/consent';
import { pageQuerySchema } from './shared/interface/http-problem';
import { segmentDraftSchema } from './segments/domain/segment-definition';
import { flowQuerySchema, segmentEditSchema, segmentListQuery } from './segments/interface/segments.controller';
import { decisionBody, requestKeySchema } from './next-action/interface/next-action.controller';

const segment = { type: 'object', description: 'The definition in force, deleted or not, its versions and back-fill progress.' };
const campaign = { type: 'object', description: 'The definition in force and its versions.' };
const noSegment = { '404': 'No such segment.' };
const noCampaign = { '404': 'No such campaign.' };
const channel = {
  name: 'channel',
  in: 'query',
  required: true,
  description: 'The channel of the contact.',
  schema: openApiSchema(slugSchema),
};
const byIdentifier = {
  '404': 'No customer has the identifier.',
  '409': 'The identifier is held by several customers (`shared_identifier`, with `candidates`): ask again by `customerId`.',
};

const SEGMENT_OPERATIONS: ApiOperation[] = [
  {
    route: 'GET /v1/segments/counts',
    operationId: 'segmentCounts',
    summary: 'Members per segment now (one pass over the customers), and how many customers there are.',
    scope: SCOPES.segmentsRead,
    success: { description: 'The counts.' },
  },
  {
    route: 'POST /v1/segments/preview',
    operationId: 'previewSegment',
    summary:
      'What a draft would hold before it is saved: validated like a save, then evaluated on every customer now. Saves and publishes nothing.',
    scope: SCOPES.segmentsRead,
    body: segmentDraftSchema,
    success: { description: 'The members it would hold.' },
  },
  {
    route: 'GET /v1/segments/:id/members',
    operationId: 'segmentMembers',
    summary: "The segment's members, page by page in customer id order (`after` is the previous page's `next`).",
    scope: SCOPES.segmentsRead,
    query: pageQuerySchema,
    success: { description: 'A page of members.' },
    errors: noSegment,
  },
  {
    route: 'GET /v1/segments/:id/flow',
    operationId: 'segmentFlow',
    summary:
      'Entries and exits per hour over the last `hours`, oldest first, by the time of the change. A deleted segment keeps its history until it expires.',
    scope: SCOPES.segmentsRead,
    query: flowQuerySchema,
    success: { description: 'The buckets and their sums.' },
    errors: noSegment,
  },
  {
    route: 'POST /v1/segments',
    operationId: 'createSegment',
    summary: 'Saves a segment; its members are back-filled and published on segments.membership.',
    scope: SCOPES.segmentsWrite,
    body: segmentDraftSchema,
    success: { status: 201, description: 'The segment.', schema: segment },
    errors: { '409': 'A segment with this id exists (`segment_exists`).' },
  },
  {
    route: 'PUT /v1/segments/:id',
    operationId: 'updateSegment',
    summary:
      'Saves a new version when the rule, purpose or consent mode changed; a rename keeps the version. `id` may be left out (the path names it).',
    scope: SCOPES.segmentsWrite,
    body: segmentEditSchema,
    success: { description: 'The segment.', schema: segment },
    errors: { ...noSegment, '409': 'Changed by someone else meanwhile (`conflict`).' },
  },
  {
    route: 'GET /v1/segments',
    operationId: 'listSegments',
    summary: 'Segments page by page in id order (`includeDeleted=true` for deleted ones too).',
    scope: SCOPES.segmentsRead,
    query: segmentListQuery,
    success: { description: 'A page of segments and the next `after`.' },
  },
  {
    route: 'GET /v1/segments/:id',
    operationId: 'getSegment',
    summary: 'One segment.',
    scope: SCOPES.segmentsRead,
    success: { description: 'The segment.', schema: segment },
    errors: noSegment,
  },
  {
    route: 'DELETE /v1/segments/:id',
    operationId: 'deleteSegment',
    summary: 'Deletes a segment: members exit (by back-fill, and on their next profile change, whichever comes first).',
    scope: SCOPES.segmentsWrite,
    success: { description: 'The deleted segment.', schema: segment },
    errors: { ...noSegment, '409': 'Changed by someone else meanwhile (`conflict`).' },
  },
];

const CAMPAIGN_OPERATIONS: ApiOperation[] = [
  {
    route: 'POST /v1/campaigns',
    operationId: 'createCampaign',
    summary: 'Saves a campaign: its segment, offers, channels, contact caps, control group and schedule.',
    scope: SCOPES.campaignsWrite,
    body: campaignDefinitionSchema,
    success: { status: 201, description: 'The campaign.', schema: campaign },
    errors: { '409': 'A campaign with this id exists (`campaign_exists`).' },
  },
  {
    route: 'PUT /v1/campaigns/:id',
    operationId: 'updateCampaign',
    summary: 'A full replacement; the result is the next version. `id` may be left out (the path names it).',
    scope: SCOPES.campaignsWrite,
    body: campaignDefinitionSchema,
    success: { description: 'The campaign.', schema: campaign },
    errors: { ...noCampaign, '409': 'Changed by someone else meanwhile (`conflict`).' },
  },
  {
    route: 'GET /v1/campaigns',
    operationId: 'listCampaigns',
    summary: 'Campaigns page by page in id order.',
    scope: SCOPES.campaignsRead,
    query: pageQuerySchema,
    success: { description: 'A page of campaigns and the next `after`.' },
  },
  {
    route: 'GET /v1/campaigns/:id',
    operationId: 'getCampaign',
    summary: 'One campaign.',
    scope: SCOPES.campaignsRead,
    success: { description: 'The campaign.', schema: campaign },
    errors: noCampaign,
  },
  {
    route: 'GET /v1/campaigns/:id/lift',
    operationId: 'campaignLift',
    summary: 'Conversion of treated and control customers within the attribution window, the lift and its 95% interval.',
    scope: SCOPES.campaignsRead,
    success: { description: 'The lift report.' },
    errors: noCampaign,
  },
];

const NEXT_ACTION_OPERATIONS: ApiOperation[] = [
  {
    route: 'GET /v1/customers/by/:type/:value/contacts',
    operationId: 'contactsMade',
    summary:
      'Contacts made (a day, a week, thirty days; the latest ones) and, per reachable campaign, the caps left on this channel. Reserves nothing.',
    scope: SCOPES.profilesRead,
    parameters: [channel],
    success: { description: 'The contacts and caps.' },
    errors: { '400': 'No or an invalid `channel`.', ...byIdentifier },
  },
  {
    route: 'GET /v1/customers/by/:type/:value/next-action',
    operationId: 'previewNextAction',
    summary: 'What would be offered now; changes nothing (contact caps, decisions, attribution).',
    scope: SCOPES.profilesRead,
    parameters: [channel],
    success: { description: 'The action and why.' },
    errors: {
      '400': 'No or an invalid `channel`.',
      ...byIdentifier,
      '503': 'The customer is being merged or split (`customer_changing`): retry shortly.',
    },
  },
  {
    route: 'POST /v1/customers/by/:type/:value/next-action',
    operationId: 'decideNextAction',
    summary:
      'Decides the next action for this contact: reserves it under the caps and publishes the decision. A retry with the same Idempotency-Key answers the same decision and reserves nothing again.',
    scope: SCOPES.decisionsWrite,
    body: decisionBody,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'One key per decision the caller means to make.',
        schema: openApiSchema(requestKeySchema),
      },
    ],
    success: { description: 'The decision.' },
    errors: {
      '400': 'An invalid body or no valid Idempotency-Key (issues name each).',
      ...byIdentifier,
      '409':
        'A shared identifier (`shared_identifier`, with `candidates`), or a request with this Idempotency-Key still being decided (`request_in_progress`).',
      '422': 'The Idempotency-Key was used for another customer or channel (`idempotency_key_reused`).',
      '503':
        'The customer is being merged or split (`customer_changing`), or the decision could not be stored (`decision_not_stored`): retry with the same key.',
    },
  },
  {
    route: 'GET /v1/reports/value-by-stage',
    operationId: 'valueByStage',
    summary: 'Customers, value and tiers per relationship stage and per needs archetype (aggregates only, no customer ids).',
    scope: SCOPES.segmentsRead,
    success: { description: 'The report.' },
  },
];

/** campaign-customization's API: segments, campaigns and their lift, the next action per contact, the value-by-stage report. */
export const CAMPAIGN_API: ServiceApi = {
  title: 'campaign-customization: segments, campaigns, lift against control groups, the next action for each contact',
  version: '1.0.0',
  errorCodes:
    'invalid_request, invalid_json, unauthorized, forbidden, not_found, rate_limited, conflict, segment_exists, campaign_exists, shared_identifier, request_in_progress, idempotency_key_reused, customer_changing, decision_not_stored',
  operations: [...SEGMENT_OPERATIONS, ...CAMPAIGN_OPERATIONS, ...NEXT_ACTION_OPERATIONS],
};
