import { z } from 'zod';

/**
 * A message as the Segment HTTP Tracking API accepts it (track, identify, page, screen, group,
 * alias). The same JSON arrives over HTTP and on the Kafka intake topic. Unknown top-level
 * fields are tolerated and dropped, as Segment does; structural limits (size, depth, key names)
 * are checked by ingestion before this schema.
 */
const isoTime = z.iso.datetime({ offset: true, local: false }).or(z.iso.datetime({ offset: false }));

const jsonObject = z.record(z.string(), z.unknown());

/**
 * An optional field of the Segment spec. Segment's own libraries send `null` for optional fields
 * they have no value for (segment-analytics-python: `"category": null`, `"name": null`), and
 * Segment accepts it, so null means absent. (`nullish` rather than a transform to undefined: a
 * transform costs a pipe per field on the hot path; readers treat null and undefined alike.)
 */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish();
}

/** Segment allows numeric ids from some libraries; they are carried as strings. */
const identifier = z
  .union([z.string(), z.number().finite()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(512, 'at most 512 characters'));

export const segmentCommonFields = {
  messageId: optional(z.string().min(1).max(200)).describe(
    'Unique id of the message; repeats within the dedup window are dropped. Generated when missing.',
  ),
  userId: optional(identifier).describe("The channel's own id of a known user (string or number)."),
  anonymousId: optional(identifier).describe('A device or cookie id of a not-yet-known visitor.'),
  timestamp: optional(isoTime).describe('When the event happened, by the client clock, ISO 8601; corrected for clock skew with sentAt.'),
  originalTimestamp: optional(isoTime).describe('Used as timestamp when timestamp is missing.'),
  sentAt: optional(isoTime).describe('When the client sent it, ISO 8601; used to correct clock skew (timestamp + receivedAt - sentAt).'),
  context: optional(jsonObject).describe('Segment context (context.purpose states the purpose of the data).'),
  integrations: optional(jsonObject).describe('Segment integrations; kept as sent.'),
};

export const segmentTrackV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('track').describe('An action the user performed.'),
  event: z.string().trim().min(1, 'must not be empty').max(200).describe('Name of the action, e.g. "Order Completed".'),
  properties: optional(jsonObject).describe('Properties of the action.'),
});

export const segmentIdentifyV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('identify').describe('Who the user is.'),
  traits: optional(jsonObject).describe('Traits of the user (email, phone, name, address, ...).'),
});

export const segmentPageV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('page').describe('A web page view.'),
  name: optional(z.string().max(200)).describe('Page name.'),
  category: optional(z.string().max(200)).describe('Page category.'),
  properties: optional(jsonObject).describe('Page properties (url, path, referrer, ...).'),
});

export const segmentScreenV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('screen').describe('A mobile app screen view.'),
  name: optional(z.string().max(200)).describe('Screen name.'),
  category: optional(z.string().max(200)).describe('Screen category.'),
  properties: optional(jsonObject).describe('Screen properties.'),
});

export const segmentGroupV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('group').describe('The user belongs to a group (account, company).'),
  groupId: identifier.describe('Id of the group.'),
  traits: optional(jsonObject).describe('Traits of the group.'),
});

export const segmentAliasV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('alias').describe('Links a previous identity to userId.'),
  previousId: identifier.describe('The previous id (often an anonymousId) now known to be userId.'),
  userId: identifier.describe('The id it is linked to.'),
});

export const segmentEventTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentEventType = (typeof segmentEventTypes)[number];

export const segmentMessageV1 = z
  .discriminatedUnion('type', [segmentTrackV1, segmentIdentifyV1, segmentPageV1, segmentScreenV1, segmentGroupV1, segmentAliasV1])
  .superRefine((message, ctx) => {
    if (!message.userId && !message.anonymousId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
    }
  })
  .describe('A Segment Tracking API message (track, identify, page, screen, group or alias); userId or anonymousId is required.');

/** Kafka headers of the intake topic. */
export const intakeHeaders = {
  /** Write key of the source (channel connection) that produced the message, as over HTTP. */
  writeKey: 'write-key',
} as const;

export type SegmentMessageV1 = z.infer<typeof segmentMessageV1>;

/** The body of POST /v1/batch; each element carries its own type. */
export const segmentBatchV1 = z.object({
  batch: z.array(z.unknown()).min(1, 'must contain at least one message').max(2500),
  context: optional(jsonObject),
  integrations: optional(jsonObject),
  sentAt: optional(isoTime),
  writeKey: optional(z.string()),
});
export type SegmentBatchV1 = z.infer<typeof segmentBatchV1>;
