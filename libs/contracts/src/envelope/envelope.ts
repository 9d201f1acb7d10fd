import { z } from 'zod';

/**
 * The envelope every event on every enveloped topic carries: CloudEvents 1.0 attributes in their
 * JSON format, plus three extension attributes (version, correlationid, causationid).
 */
export const envelopeAttributes = {
  /** CloudEvents spec version, always "1.0". */
  specversion: z.literal('1.0').describe('CloudEvents spec version, always "1.0".'),
  /** Unique event id; consumers use it for idempotency. */
  id: z.string().min(1).max(200).describe('Unique event id; a redelivered message carries the same id, so consumers deduplicate by it.'),
  /** Producing service and instance, as a URI reference (e.g. "/services/ingestion"). */
  source: z.string().min(1).max(500).describe('Producing service as a URI reference, e.g. "/services/campaign-customization".'),
  /** Event type, e.g. "customer.merged"; with `version` it selects the payload schema. */
  type: z.string().min(1).max(200).describe('Event type, e.g. "customer.merged"; with version it selects the payload schema.'),
  /** Payload schema version; a breaking change is a new version, consumers accept old and new. */
  version: z
    .number()
    .int()
    .positive()
    .describe('Payload schema version; a breaking change is a new version, consumers accept old and new.'),
  /** When the fact happened (event time, not processing time), ISO 8601 with offset. */
  time: z.iso.datetime({ offset: true }).describe('When the fact happened (event time, not processing time), ISO 8601 with offset.'),
  /** The entity the event is about: the routing identifier before identity resolution, the customer id after. */
  subject: z
    .string()
    .min(1)
    .max(500)
    .describe(
      'What the event is about: the routing identifier before identity resolution, the customer id after (equals the Kafka key on customer-keyed topics).',
    ),
  /** Always application/json. */
  datacontenttype: z
    .literal('application/json')
    .default('application/json')
    .describe('Always application/json (may be left out: it is the default).'),
  /** Id shared by every event caused, directly or not, by one original input (the ingested message id). */
  correlationid: z.string().max(200).optional().describe('Id shared by every event caused, directly or not, by one original input.'),
  /** Id of the event that directly caused this one. */
  causationid: z.string().max(200).optional().describe('Id of the event that directly caused this one.'),
};

export function envelopeOf<T extends string, V extends number, D extends z.ZodType>(type: T, version: V, data: D) {
  return z.object({
    ...envelopeAttributes,
    type: z.literal(type).describe('Event type; with version it selects the payload schema.'),
    version: z.literal(version).describe('Payload schema version of this event type.'),
    data,
  });
}

export type Envelope<T extends string = string, D = unknown> = {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  version: number;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  correlationid?: string | undefined;
  causationid?: string | undefined;
  data: D;
};

/** Header names used on every Kafka message. Trace context uses the W3C names (traceparent, tracestate). */
export const messageHeaders = {
  eventType: 'ce_type',
  eventVersion: 'ce_version',
  eventId: 'ce_id',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** Headers added to a message when it is moved to a dead-letter topic. The original key, value and headers are kept. */
export const deadLetterHeaders = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  originalTimestamp: 'dlq-original-timestamp',
  consumerGroup: 'dlq-consumer-group',
  reason: 'dlq-reason',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

/** Machine-readable reasons a message is dead-lettered. */
export const deadLetterReasons = ['invalid-json', 'invalid-envelope', 'unknown-event-type', 'processing-failed'] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];

/**
 * An event of a sealed topic (`TopicDefinition.sealed`) as it travels: the envelope attributes in
 * clear (routing, ordering, deduplication), `data` encrypted with AES-256-GCM under the data key
 * of the event's subject, named by the `datakeyid` extension attribute. `data` is base64url of
 * the 12-byte IV, the ciphertext of the JSON data and the 16-byte tag; the additional
 * authenticated data binds it to id, type, version, subject and key id. An erasure destroys the
 * key: the event can then never be read again (crypto-shredding, docs/security.md).
 */
export const sealedEnvelopeSchema = z.object({
  ...envelopeAttributes,
  version: z.number().int().positive(),
  /** Id of the data key `data` is encrypted under. */
  datakeyid: z
    .string()
    .min(1)
    .max(200)
    .describe('Id of the data key the data is encrypted under (held by identity-resolution; destroyed by an erasure).'),
  data: z.string().min(1).describe('base64url(iv ‖ AES-256-GCM ciphertext of the JSON data ‖ tag).'),
});
export type SealedEnvelope = z.infer<typeof sealedEnvelopeSchema>;
