import { z } from 'zod';
import type { ApiOperation, ServiceApi } from '@o2o/runtime';
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

const writeKey = [{ writeKey: [] }];

const asText = { 'text/plain': { schema: { type: 'string', description: 'the same JSON, as analytics.js sends it' } } };

const errors = (limit: number) => ({
  '400': 'Invalid event or body; issues name each field.',
  '401': 'Missing or unknown write key, or a bad signature.',
  '403': 'The source is disabled.',
  '413': `Body above ${limit} bytes decompressed (or an event above ${MAX_EVENT_BYTES} bytes in a batch), or a compression ratio above the cap.`,
  '415': 'A Content-Encoding other than gzip, deflate or identity.',
  '429': { description: 'The source exceeds its rate; see Retry-After.', headers: { 'Retry-After': { schema: { type: 'integer' } } } },
  '503': {
    description: 'Kafka did not acknowledge; nothing was accepted. Retry (duplicates are dropped by messageId).',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  },
});

const accepted = 'Accepted: stored in Kafka with acks=all.';

/** The tracking API's routes (`POST /v1/:type` once per Segment call), from the same zod schemas that validate requests. */
export function trackingOperations(): ApiOperation[] {
  const operations: ApiOperation[] = Object.entries(calls).map(([name, schema]) => ({
    route: `POST /v1/${name}`,
    operationId: name,
    summary: `Segment ${name} call (also at /v1/${name.charAt(0)}, as analytics.js posts it). A refused message is answered 400 and kept on ingest.rejected.v1.`,
    description: encodingNote,
    security: writeKey,
    body: schema.omit({ type: true }),
    bodyMedia: asText,
    success: { description: accepted, schema: { type: 'object', properties: { success: { const: true } } } },
    errors: errors(MAX_EVENT_BYTES),
  }));
  const batch = (route: ApiOperation['route'], operationId: string): ApiOperation => ({
    route,
    operationId,
    summary:
      'Several calls in one request; each element carries its own type. Accepted element by element: invalid elements are refused alone (named in the answer, kept on ingest.rejected.v1); only an unreadable body is refused whole. The same at /v1/batch, /v1/b (analytics.js) and /v1/import.',
    description: encodingNote,
    security: writeKey,
    body: segmentBatchV1,
    bodyMedia: asText,
    success: { description: accepted, schema: batchAnswer },
    errors: errors(MAX_BATCH_BYTES),
  });
  return [...operations, batch('POST /v1/batch', 'batch'), batch('POST /v1/b', 'batchShort'), batch('POST /v1/import', 'import')];
}

/** The tracking API's title, error codes and write-key scheme; the routes are trackingOperations and the sources admin's. */
export const TRACKING_API: Omit<ServiceApi, 'operations'> = {
  title: 'Ingestion: Segment-compatible tracking API',
  version: '1.1.0',
  errorCodes:
    'invalid_event, invalid_json, invalid_body, invalid_request, invalid_encoding, unsupported_encoding, too_large, unauthorized, invalid_signature, forbidden, not_found, rate_limited, unavailable',
  issueCodes: ['required', 'invalid_type', 'unknown_event_type', 'too_large', 'too_deep', 'invalid_key', 'invalid_value'],
  securitySchemes: { writeKey: { type: 'http', scheme: 'basic', description: 'write key as user name, empty password' } },
};
