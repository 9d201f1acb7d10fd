import { z } from 'zod';
import { openApiController, openApiErrorBody, openApiSchema as jsonSchema } from '@o2o/runtime';
import {
  segmentAliasV1,
  segmentBatchV1,
  segmentGroupV1,
  segmentIdentifyV1,
  segmentPageV1,
  segmentScreenV1,
  segmentTrackV1,
} from '@o2o/contracts';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from '../domain/message-validator';

const calls: Record<string, z.ZodObject> = {
  track: segmentTrackV1,
  identify: segmentIdentifyV1,
  page: segmentPageV1,
  screen: segmentScreenV1,
  group: segmentGroupV1,
  alias: segmentAliasV1,
};

const errorBody = openApiErrorBody({
  codes:
    'invalid_event, invalid_json, invalid_body, invalid_encoding, unsupported_encoding, too_large, unauthorized, invalid_signature, forbidden, not_found, rate_limited, unavailable',
  issueCodes: ['required', 'invalid_type', 'unknown_event_type', 'too_large', 'too_deep', 'invalid_key', 'invalid_value'],
});

const issue = {
  type: 'object',
  required: ['field', 'code', 'message'],
  properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
};

const batchAnswer = {
  type: 'object',
  required: ['success'],
  properties: {
    success: { const: true },
    accepted: { type: 'integer', description: 'Elements stored (present only when some were refused).' },
    rejected: {
      type: 'array',
      description:
        'Elements refused, each kept on ingest.rejected.v1 with its reasons (present only when some were refused; Segment libraries ignore it).',
      items: {
        type: 'object',
        required: ['index', 'reason', 'issues'],
        properties: { index: { type: 'integer' }, reason: { type: 'string' }, issues: { type: 'array', items: issue } },
      },
    },
  },
};

const encodingNote =
  'Content-Encoding gzip or deflate is accepted; limits apply to the decompressed body, and a body decompressing to more than MAX_COMPRESSION_RATIO times its size is refused (413).';

const responses = (limit: number, success: Record<string, unknown>) => ({
  '200': { description: 'Accepted: stored in Kafka with acks=all.', content: { 'application/json': { schema: success } } },
  '400': { description: 'Invalid event or body; issues name each field.', content: { 'application/json': { schema: errorBody } } },
  '401': { description: 'Missing or unknown write key, or a bad signature.', content: { 'application/json': { schema: errorBody } } },
  '403': { description: 'The source is disabled.', content: { 'application/json': { schema: errorBody } } },
  '413': {
    description: `Body above ${limit} bytes decompressed (or an event above ${MAX_EVENT_BYTES} bytes in a batch), or a compression ratio above the cap.`,
    content: { 'application/json': { schema: errorBody } },
  },
  '415': {
    description: 'A Content-Encoding other than gzip, deflate or identity.',
    content: { 'application/json': { schema: errorBody } },
  },
  '429': {
    description: 'The source exceeds its rate; see Retry-After.',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: { 'application/json': { schema: errorBody } },
  },
  '503': {
    description: 'Kafka did not acknowledge; nothing was accepted. Retry (duplicates are dropped by messageId).',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: { 'application/json': { schema: errorBody } },
  },
});

/** OpenAPI 3.1 document of the tracking API, generated from the same zod schemas that validate requests. */
export function trackingApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(calls)) {
    paths[`/v1/${name}`] = {
      post: {
        operationId: name,
        summary: `Segment ${name} call (also at /v1/${name.charAt(0)}, as analytics.js posts it). A refused message is answered 400 and kept on ingest.rejected.v1.`,
        description: encodingNote,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: jsonSchema(schema.omit({ type: true })) },
            'text/plain': { schema: { type: 'string', description: 'the same JSON, as analytics.js sends it' } },
          },
        },
        responses: responses(MAX_EVENT_BYTES, { type: 'object', properties: { success: { const: true } } }),
      },
    };
  }
  const batch = (operationId: string) => ({
    post: {
      operationId,
      summary:
        'Several calls in one request; each element carries its own type. Accepted element by element: invalid elements are refused alone (named in the answer, kept on ingest.rejected.v1); only an unreadable body is refused whole. Also at /v1/b (analytics.js) and /v1/import.',
      description: encodingNote,
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: jsonSchema(segmentBatchV1) },
          'text/plain': { schema: { type: 'string', description: 'the same JSON, as analytics.js sends it' } },
        },
      },
      responses: responses(MAX_BATCH_BYTES, batchAnswer),
    },
  });
  paths['/v1/batch'] = batch('batch');
  paths['/v1/import'] = batch('import');
  return {
    openapi: '3.1.0',
    info: { title: 'Ingestion: Segment-compatible tracking API', version: '1.0.0' },
    components: { securitySchemes: { writeKey: { type: 'http', scheme: 'basic', description: 'write key as user name, empty password' } } },
    security: [{ writeKey: [] }],
    paths,
  };
}

export const OpenApiController = openApiController(trackingApiDocument, 'describes the public tracking API, as Segment publishes its own');
