import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/**
 * A message ingestion refused, kept with the reasons, from either way in. Version 2 of
 * customer-event.rejected: version 1 could only describe a message read from the Kafka intake
 * (topic, partition and offset were required), so a refused element of an HTTP batch needs a
 * new version. The intake still publishes version 1; readers of ingest.rejected.v1 accept both.
 */
export const eventRejectedDataV2 = z
  .object({
    reason: z
      .string()
      .describe('Why the message was rejected (the code of its first issue, e.g. invalid_value, required, invalid_purpose).'),
    issues: z
      .array(
        z.object({
          field: z.string().describe('Path of the offending field within the message, e.g. "properties.$where".'),
          code: z.string().describe('Machine-readable code.'),
          message: z.string().describe('What is wrong.'),
        }),
      )
      .describe('Each problem found: the field, a machine-readable code and a message.'),
    raw: z
      .string()
      .describe(
        'The message as received (JSON text, UTF-8), without any writeKey it carried; only its first 4,096 characters when the message itself was over the size limit.',
      ),
    sourceId: z.string().optional().describe('The source, when the write key named one.'),
    rejectedAt: z.iso.datetime({ offset: true }).describe('When ingestion rejected it.'),
    http: z
      .object({
        endpoint: z.string().describe('The path the request was posted to, e.g. "/v1/batch".'),
        requestId: z.string().describe('Id of the HTTP request, shared by every message of one request.'),
        index: z.number().int().min(0).optional().describe('Position of the message in the batch (batch requests only).'),
      })
      .optional()
      .describe('Set when the message came over the HTTP Tracking API.'),
    intake: z
      .object({
        topic: z.string().describe('The intake topic it was read from.'),
        partition: z.number().int().describe('Partition of the intake topic.'),
        offset: z.string().describe('Offset in that partition.'),
      })
      .optional()
      .describe('Set when the message came from the Kafka intake topic.'),
  })
  .describe('A message ingestion refused (an element of an HTTP batch, a single HTTP call, or an intake message), kept with the reasons.');
export type EventRejectedDataV2 = z.infer<typeof eventRejectedDataV2>;
export const eventRejectedV2 = envelopeOf('customer-event.rejected', 2, eventRejectedDataV2);
