import { SCOPES } from '@o2o/auth';
import { openApiController, openApiErrorBody, openApiQueryParameters as queryParameters, openApiSchema as jsonSchema } from '@o2o/runtime';
import { costModelBody } from '../../costs/interface/cost-model.dto';
import { growableQuery } from './value-report.dto';

const errorBody = openApiErrorBody({
  codes: 'invalid_request, invalid_json, unauthorized, forbidden, not_found, version_conflict, rate_limited, internal_error',
});

const money = (description: string) => ({ type: 'number', description });
const nullableMoney = (description: string) => ({ type: ['number', 'null'], description });

const errors = (extra: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries({
      '401': 'No or an invalid credential.',
      '403': 'The credential lacks the scope (`requiredScope`).',
      '429': "Over the client's rate limit.",
      ...extra,
    }).map(([status, description]) => [status, { description, content: { 'application/json': { schema: errorBody } } }]),
  );

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

/** OpenAPI 3.1 document of value-scoring's value API (customer value, reports, the cost model); request schemas from the zod schemas that validate them. */
export function valueApiDocument(): Record<string, unknown> {
  const bearer = (scope: string) => ({ security: [{ bearer: [scope] }], 'x-required-scope': scope });
  return {
    openapi: '3.1.0',
    info: {
      title: 'value-scoring: customer value as margin, tiers, the most-growable ranking, the cost model',
      version: '1.1.0',
      description:
        'Actual value is a margin: the revenue valuation (net revenue to date under the interim model, expected discounted spend over the horizon under a fitted BG/NBD + Gamma-Gamma model) minus the cost to serve (orders, returns, service calls, contacts per channel, a yearly cost per customer). It may be below zero; every below-zero customer is tier D. Amounts are in the account currency.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'OAuth 2.0 access token from the issuer, or a scoped API key' },
      },
    },
    paths: {
      '/v1/customers/{id}/value': {
        get: {
          operationId: 'customerValue',
          summary: "A customer's value state and why (a merged id answers with its survivor's).",
          ...bearer(SCOPES.profilesRead),
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The value state.',
              content: {
                'application/json': {
                  schema: {
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
                  },
                },
              },
            },
            ...errors({ '404': 'No value is known for the customer.' }),
          },
        },
      },
      '/v1/reports/value': {
        get: {
          operationId: 'valueReport',
          summary: 'Tiers, value bands, the top of the most-growable ranking and value by needs archetype, over all customers.',
          ...bearer(SCOPES.segmentsRead),
          responses: {
            '200': { description: 'The report.', content: { 'application/json': { schema: { type: 'object' } } } },
            ...errors(),
          },
        },
      },
      '/v1/reports/most-growable': {
        get: {
          operationId: 'mostGrowable',
          summary:
            'The most-growable customers: strategic value (what they could be worth) minus actual value (what they are worth), highest first, page by page. Customers without room to grow are not listed.',
          ...bearer(SCOPES.segmentsRead),
          parameters: queryParameters(growableQuery),
          responses: {
            '200': {
              description: 'A page; `next` is the `after` of the following page, null on the last.',
              content: {
                'application/json': {
                  schema: {
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
                  },
                },
              },
            },
            ...errors({ '400': 'A bad `limit` or `after` (issues name the field).' }),
          },
        },
      },
      '/v1/cost-model': {
        get: {
          operationId: 'getCostModel',
          summary: 'The cost model scores use: set through the API, else the configured defaults (COST_* settings).',
          ...bearer(SCOPES.modelsRead),
          responses: { '200': { description: 'The cost model.', content: { 'application/json': { schema: costModelView } } }, ...errors() },
        },
        put: {
          operationId: 'putCostModel',
          summary:
            'Replaces the cost model (audited). Applies to scores computed from then on: each customer’s next event, or everyone at the next re-scoring (POST /v1/models/rescore).',
          ...bearer(SCOPES.modelsWrite),
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(costModelBody) } } },
          responses: {
            '200': { description: 'The stored model.', content: { 'application/json': { schema: costModelView } } },
            ...errors({
              '400': 'A missing, negative or unknown field (issues name it).',
              '409': 'The model is no longer at `expectedVersion`: read it again.',
            }),
          },
        },
      },
    },
  };
}

export const OpenApiController = openApiController(
  valueApiDocument,
  'describes the value API (no customer data), as ingestion describes its tracking API',
);
