import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

export const relationshipStages = ['prospecting', 'consideration', 'purchase', 'connection', 'loyalty', 'lapsing', 'lost'] as const;
export const relationshipStageSchema = z.enum(relationshipStages);
export type RelationshipStage = z.infer<typeof relationshipStageSchema>;

/** One piece of knowledge about a customer, with where it came from and why it may be used. */
export const needsFactV1 = z.object({
  /** Fact key, e.g. "room.smoking", "contact.preferredChannel", "affinity.category.shoes". */
  key: z.string().min(1).max(200),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  /** explicit: the customer said so; inferred: derived from behaviour. */
  kind: z.enum(['explicit', 'inferred']),
  /** Channel it was learned on. */
  channel: z.string(),
  /** Purpose it was collected for (e.g. "personalisation"). */
  purpose: z.string(),
  confidence: z.number().min(0).max(1),
  observedAt: z.iso.datetime({ offset: true }),
  /** Event that taught it. */
  sourceEventId: z.string().optional(),
});
export type NeedsFactV1 = z.infer<typeof needsFactV1>;

/** Full needs state of one customer (compacted topic keyed by customerId). */
export const needsProfiledDataV1 = z.object({
  customerId: z.string().min(1),
  stage: relationshipStageSchema,
  previousStage: relationshipStageSchema.optional(),
  /** Why the customer is in this stage. */
  stageReason: z.string(),
  facts: z.array(needsFactV1),
  archetypes: z.array(z.string()),
  /** The most valuable question still worth asking, if any. */
  nextQuestion: z
    .object({ questionId: z.string(), factKey: z.string(), purpose: z.string(), value: z.number() })
    .optional(),
  /** Fact keys the question bank cares about that are still unknown. */
  unknown: z.array(z.string()),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type NeedsProfiledDataV1 = z.infer<typeof needsProfiledDataV1>;
export const needsProfiledV1 = envelopeOf('customer.needs-profiled', 1, needsProfiledDataV1);
