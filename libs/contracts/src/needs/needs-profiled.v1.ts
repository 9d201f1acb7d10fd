import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

export const relationshipStages = ['prospecting', 'consideration', 'purchase', 'connection', 'loyalty', 'lapsing', 'lost'] as const;
export const relationshipStageSchema = z.enum(relationshipStages);
export type RelationshipStage = z.infer<typeof relationshipStageSchema>;

/** One piece of knowledge about a customer, with where it came from and why it may be used. */
export const needsFactV1 = z
  .object({
    /** Fact key, e.g. "room.smoking", "contact.preferredChannel", "affinity.category.shoes". */
    key: z.string().min(1).max(200).describe('Fact key, e.g. "room.smoking", "contact.preferredChannel", "affinity.category.shoes".'),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).describe('The fact.'),
    /** explicit: the customer said so; inferred: derived from behaviour. */
    kind: z.enum(['explicit', 'inferred']).describe('explicit: the customer said so; inferred: derived from behaviour.'),
    /** Channel it was learned on. */
    channel: z.string().describe('Channel it was learned on.'),
    /** Purpose it was collected for (e.g. "personalisation"). */
    purpose: z.string().describe('Purpose it was collected for (e.g. "personalisation").'),
    confidence: z.number().min(0).max(1).describe('Confidence in [0, 1].'),
    observedAt: z.iso.datetime({ offset: true }).describe('When it was learned.'),
    /** Event that taught it. */
    sourceEventId: z.string().optional().describe('Event that taught it.'),
  })
  .describe('One piece of knowledge about a customer, with where it came from and why it may be used.');
export type NeedsFactV1 = z.infer<typeof needsFactV1>;

/** Full needs state of one customer (compacted topic keyed by customerId). */
export const needsProfiledDataV1 = z
  .object({
    customerId: z.string().min(1).describe('The customer (also the Kafka key).'),
    stage: relationshipStageSchema.describe('Where the customer is in the relationship.'),
    previousStage: relationshipStageSchema.optional().describe('Stage before this change, when it changed.'),
    /** Why the customer is in this stage. */
    stageReason: z.string().describe('Why the customer is in this stage.'),
    facts: z.array(needsFactV1).describe('Everything known about the customer, with source, purpose and confidence.'),
    archetypes: z.array(z.string()).describe('Needs archetypes the customer matches.'),
    /** The most valuable question still worth asking, if any. */
    nextQuestion: z
      .object({
        questionId: z.string().describe('Id of the question in the question bank.'),
        factKey: z.string().describe('The fact the answer fills.'),
        purpose: z.string().describe('Purpose the answer would be collected for.'),
        value: z.number().describe('Expected value of asking it now (higher is better).'),
        /** How to ask it, per channel (added in v1; absent from older profiles): a channel without wording does not ask it. */
        wording: z
          .record(z.string(), z.string())
          .optional()
          .describe('How to ask it, per channel (absent from older profiles); a channel without wording does not ask it.'),
        /** Fact keys the question builds on (its prerequisites), whose values a clerk can mention when asking. */
        buildsOn: z
          .array(z.string())
          .optional()
          .describe('Fact keys the question builds on (its prerequisites); absent from older profiles.'),
      })
      .optional()
      .describe('The most valuable question still worth asking, if any.'),
    /** The stage's contact guidance (added in v1; absent from older profiles): how often the platform may start a contact at this stage, and what the content should do. */
    stageGuidance: z
      .object({
        /** Contacts the platform may start in a rolling 30 days. */
        maxContactsPer30Days: z.number().int().min(0).describe('Contacts the platform may start in a rolling 30 days.'),
        /** Days that must pass between two contacts the platform starts. */
        minDaysBetweenContacts: z.number().min(0).describe('Days that must pass between two contacts the platform starts.'),
        /** What the content should do at this stage, for campaign authors and agents. */
        content: z.array(z.string()).describe('What the content should do at this stage, for campaign authors and agents.'),
      })
      .optional()
      .describe(
        "The stage's contact guidance (absent from older profiles): how often the platform may start a contact at this stage, and what the content should do.",
      ),
    /** Fact keys the question bank cares about that are still unknown. */
    unknown: z.array(z.string()).describe('Fact keys the question bank cares about that are still unknown.'),
    updatedAt: z.iso.datetime({ offset: true }).describe('When the profile last changed.'),
  })
  .describe('Full needs state of one customer.');
export type NeedsProfiledDataV1 = z.infer<typeof needsProfiledDataV1>;
export const needsProfiledV1 = envelopeOf('customer.needs-profiled', 1, needsProfiledDataV1);
