import { z } from 'zod';

/**
 * A message as the Segment HTTP Tracking API accepts it (track, identify, page, screen, group,
 * alias). The same JSON arrives over HTTP and on the Kafka intake topic. Unknown top-level
 * fields are tolerated and dropped, as Segment does; structural limits (size, depth, key names)
 * are checked by ingestion before this schema.
 */
const isoTime = z.iso.datetime({ offset: true, local: false }).or(z.iso.datetime({ offset: false }));

const jsonObject = z.record(z.string(), z.unknown());

/** Segment allows numeric ids from some libraries; they are carried as strings. */
const identifier = z
  .union([z.string(), z.number().finite()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(512, 'at most 512 characters'));

export const segmentCommonFields = {
  messageId: z.string().min(1).max(200).optional(),
  userId: identifier.optional().nullable(),
  anonymousId: identifier.optional().nullable(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  sentAt: isoTime.optional(),
  context: jsonObject.optional(),
  integrations: jsonObject.optional(),
};

export const segmentTrackV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('track'),
  event: z.string().trim().min(1, 'must not be empty').max(200),
  properties: jsonObject.optional(),
});

export const segmentIdentifyV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('identify'),
  traits: jsonObject.optional(),
});

export const segmentPageV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('page'),
  name: z.string().max(200).optional(),
  category: z.string().max(200).optional(),
  properties: jsonObject.optional(),
});

export const segmentScreenV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('screen'),
  name: z.string().max(200).optional(),
  category: z.string().max(200).optional(),
  properties: jsonObject.optional(),
});

export const segmentGroupV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('group'),
  groupId: identifier,
  traits: jsonObject.optional(),
});

export const segmentAliasV1 = z.object({
  ...segmentCommonFields,
  type: z.literal('alias'),
  previousId: identifier,
  userId: identifier,
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
  context: jsonObject.optional(),
  integrations: jsonObject.optional(),
  sentAt: isoTime.optional(),
  writeKey: z.string().optional(),
});
export type SegmentBatchV1 = z.infer<typeof segmentBatchV1>;
