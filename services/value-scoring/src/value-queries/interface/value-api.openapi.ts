import { SCOPES } from '@o2o/auth';
import type { ServiceApi } from '@o2o/runtime';
import { costModelBody } from '../../costs/interface/cost-model.dto';
import { growableQuery } from './value-report.dto';

const money = (description: string) => ({ type: 'number', description });
const nullableMoney = (description: string) => ({ type: ['number', 'null'], description });

const costModelView = {
  type: 'object',
  required: ['perOrder', 'perReturn', 'perServiceCall', 'perContact', 'perContactDefault', 'perCustomerYear', 'version', 'source'],
  properties: {
    perOrder: money('One order: picking, packing, shipping, payment fees.'),
    perReturn: money('Handling one return (an `Order Refunded`).'),
    perServiceCall: money('One service call (`Service Call Completed`).'),
    perContact: {
      type: 'object',
      additionalProperties: { type: 'number' },
      description: 'One outbound contact (`Contact Made`, or the events CONTACT_EVENTS names) per channel.',
    },
    perContactDefault: money('One contact on a channel `perContact` does not name.'),
    perCustomerYear: money('Keeping a customer on the books for a year.'),
    version: { type: 'integer', description: '0 while the configured defaults apply; +1 with each PUT.' },
    source: { enum: ['defaults', 'api'] },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    updatedBy: { type: ['string', 'null'], description: 'The client that set it.' },
  },
};

const customerValue = {
  type: 'object',
  required: ['customerId', 'actualValue', 'strategicValue', 'tier', 'reasons'],
  properties: {
    customerId: { type: 'string' },
    actualValue: money('Margin over the horizon; below zero for customers who cost more than they bring.'),
    grossValue: nullableMoney('Revenue part, before costs (null on scores made before costs were counted).'),
    costToServe: nullableMoney('Cost to serve over the same horizon.'),
    strategicValue: money('Room to grow: peers’ spend level minus the customer’s, over the horizon, discounted.'),
    tier: { enum: ['A', 'B', 'C', 'D'] },
    costEvents: {
      type: 'object',
      properties: {
        orders: { type: 'integer' },
        returns: { type: 'integer' },
        serviceCalls: { type: 'integer' },
        contacts: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
    reasons: { type: 'array', items: { type: 'string' } },
  },
};

const growablePage = {
  type: 'object',
  required: ['customers', 'next'],
  properties: {
    customers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['customerId', 'tier', 'growthValue', 'actualValue', 'strategicValue', 'potentialValue'],
        properties: {
          customerId: { type: 'string' },
          tier: { type: 'string' },
          growthValue: money('Potential minus actual value: what the ranking orders by.'),
          actualValue: money('Margin over the horizon.'),
          strategicValue: money('Room to grow (equals growthValue).'),
          potentialValue: money('actualValue + growthValue.'),
          grossValue: nullableMoney('Revenue part of actual value.'),
          costToServe: nullableMoney('Cost part of actual value.'),
          archetypes: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    next: { type: ['string', 'null'] },
    generatedAt: { type: 'string', format: 'date-time' },
  },
};

const job = {
  type: 'object',
  description: 'The job: id, kind (refit or rescore), state (running, finished, failed, abandoned), outcome or error, who asked, when.',
};
const startedJob = {
  status: 202,
  description: 'Started; follow the job at its Location, GET /v1/models/jobs/{id}.',
  schema: { type: 'object', required: ['job'], properties: { job } },
};

/** value-scoring's value API (customer value, reports, the cost model, the model jobs); request schemas from the zod schemas that validate them. */
export const VALUE_API: ServiceApi = {
  title: 'value-scoring: customer value as margin, tiers, the most-growable ranking, the cost model',
  version: '1.2.0',
  description:
    'Actual value is a margin: the revenue valuation (net revenue to date under the interim model, expected discounted spend over the horizon under a fitted BG/NBD + Gamma-Gamma model) minus the cost to serve (orders, returns, service calls, contacts per channel, a yearly cost per customer). It may be below zero; every below-zero customer is tier D. Amounts are in the account currency.',
  errorCodes: 'invalid_request, invalid_json, unauthorized, forbidden, not_found, version_conflict, rate_limited, internal_error',
  operations: [
    {
      route: 'GET /v1/customers/:id/value',
      operationId: 'customerValue',
      summary: "A customer's value state and why (a merged id answers with its survivor's).",
      scope: SCOPES.profilesRead,
      success: { description: 'The value state.', schema: customerValue },
      errors: { '404': 'No value is known for the customer.' },
    },
    {
      route: 'GET /v1/reports/value',
      operationId: 'valueReport',
      summary: 'Tiers, value bands, the top of the most-growable ranking and value by needs archetype, over all customers.',
      scope: SCOPES.segmentsRead,
      success: { description: 'The report.' },
    },
    {
      route: 'GET /v1/reports/most-growable',
      operationId: 'mostGrowable',
      summary:
        'The most-growable customers: strategic value (what they could be worth) minus actual value (what they are worth), highest first, page by page. Customers without room to grow are not listed.',
      scope: SCOPES.segmentsRead,
      query: growableQuery,
      success: { description: 'A page; `next` is the `after` of the following page, null on the last.', schema: growablePage },
      errors: { '400': 'A bad `limit` or `after` (issues name the field).' },
    },
    {
      route: 'GET /v1/cost-model',
      operationId: 'getCostModel',
      summary: 'The cost model scores use: set through the API, else the configured defaults (COST_* settings).',
      scope: SCOPES.modelsRead,
      success: { description: 'The cost model.', schema: costModelView },
    },
    {
      route: 'PUT /v1/cost-model',
      operationId: 'putCostModel',
      summary:
        'Replaces the cost model (audited). Applies to scores computed from then on: each customer’s next event, or everyone at the next re-scoring (POST /v1/models/rescore).',
      scope: SCOPES.modelsWrite,
      body: costModelBody,
      success: { description: 'The stored model.', schema: costModelView },
      errors: {
        '400': 'A missing, negative or unknown field (issues name it).',
        '409': 'The model is no longer at `expectedVersion`: read it again.',
      },
    },
    {
      route: 'POST /v1/models/refit',
      operationId: 'refitModel',
      summary:
        'Starts a refit (then a re-scoring and re-tiering of every customer) in the background. Its outcome on the job: fitted, already-fitted, busy (another instance held the model-job lock) or insufficient-data.',
      scope: SCOPES.modelsWrite,
      success: startedJob,
    },
    {
      route: 'POST /v1/models/rescore',
      operationId: 'rescoreCustomers',
      summary: 'Starts a re-scoring and re-tiering with the current model (what the schedule does daily) in the background.',
      scope: SCOPES.modelsWrite,
      success: startedJob,
    },
    {
      route: 'GET /v1/models/jobs',
      operationId: 'modelJobs',
      summary: 'The latest jobs asked for through the API, newest first.',
      scope: SCOPES.modelsRead,
      success: {
        description: 'The jobs.',
        schema: { type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: job } } },
      },
    },
    {
      route: 'GET /v1/models/jobs/:id',
      operationId: 'modelJob',
      summary: "A job's state: running, finished (with its outcome), failed (with the error), or abandoned (its instance stopped).",
      scope: SCOPES.modelsRead,
      success: { description: 'The job.', schema: job },
      errors: { '404': 'No such job.' },
    },
    {
      route: 'GET /v1/models/current',
      operationId: 'currentModel',
      summary: 'The model this instance scores with (fitted or interim), and the last re-tiering.',
      scope: SCOPES.modelsRead,
      success: { description: 'The model and tiering.' },
    },
    {
      route: 'GET /v1/models',
      operationId: 'modelVersions',
      summary: 'Fitted parameter sets, newest first.',
      scope: SCOPES.modelsRead,
      success: {
        description: 'The versions.',
        schema: { type: 'object', required: ['versions'], properties: { versions: { type: 'array', items: { type: 'object' } } } },
      },
    },
  ],
};
