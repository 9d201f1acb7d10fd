import { Controller, Get, Header } from '@nestjs/common';
import { z } from 'zod';
import { segmentAliasV1, segmentBatchV1, segmentGroupV1, segmentIdentifyV1, segmentPageV1, segmentScreenV1, segmentTrackV1 } from '@o2o/contracts';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from '../domain/message-validator';

const calls: Record<string, z.ZodObject> = { track: segmentTrackV1, identify: segmentIdentifyV1, page: segmentPageV1, screen: segmentScreenV1, group: segmentGroupV1, alias: segmentAliasV1 };

const errorBody = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { const: false },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'invalid_event, invalid_json, too_large, unauthorized, invalid_signature, forbidden, rate_limited, unavailable' },
        message: { type: 'string' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'code', 'message'],
            properties: {
              field: { type: 'string', description: 'dotted path of the offending field, e.g. properties.$where or batch.3.userId' },
              code: { type: 'string', enum: ['required', 'invalid_type', 'unknown_event_type', 'too_large', 'too_deep', 'invalid_key', 'invalid_value'] },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

const responses = (limit: number) => ({
  '200': { description: 'Accepted: stored in Kafka with acks=all.', content: { 'application/json': { schema: { type: 'object', properties: { success: { const: true } } } } } },
  '400': { description: 'Invalid event or body; issues name each field.', content: { 'application/json': { schema: errorBody } } },
  '401': { description: 'Missing or unknown write key, or a bad signature.', content: { 'application/json': { schema: errorBody } } },
  '403': { description: 'The source is disabled.', content: { 'application/json': { schema: errorBody } } },
  '413': { description: `Body above ${limit} bytes (or an event above ${MAX_EVENT_BYTES} bytes in a batch).`, content: { 'application/json': { schema: errorBody } } },
  '429': { description: 'The source exceeds its rate; see Retry-After.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/json': { schema: errorBody } } },
  '503': { description: 'Kafka did not acknowledge; nothing was accepted. Retry (duplicates are dropped by messageId).', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/json': { schema: errorBody } } },
});

/** OpenAPI 3.1 document of the tracking API, generated from the same zod schemas that validate requests. */
export function trackingApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(calls)) {
    paths[`/v1/${name}`] = {
      post: {
        operationId: name,
        summary: `Segment ${name} call`,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schema.omit({ type: true })) }, 'text/plain': { schema: { type: 'string', description: 'the same JSON, as analytics.js sends it' } } } },
        responses: responses(MAX_EVENT_BYTES),
      },
    };
  }
  paths['/v1/batch'] = {
    post: {
      operationId: 'batch',
      summary: 'Several calls in one request; each element carries its own type. Rejected whole if any element is invalid.',
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(segmentBatchV1) } } },
      responses: responses(MAX_BATCH_BYTES),
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Ingestion: Segment-compatible tracking API', version: '1.0.0' },
    components: { securitySchemes: { writeKey: { type: 'http', scheme: 'basic', description: 'write key as user name, empty password' } } },
    security: [{ writeKey: [] }],
    paths,
  };
}

@Controller()
export class OpenApiController {
  private readonly document = trackingApiDocument();

  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=300')
  openapi(): Record<string, unknown> {
    return this.document;
  }
}
