import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/**
 * Outcome events: how a customer responded to what the platform proposed (an offer, a question).
 *
 * Channels report them as Segment `track` calls under reserved event names, through ingestion like
 * any other event (HTTP or the Kafka intake), so they reach every service on identity.events.v1
 * with the customer resolved. Ingestion validates the properties of a reserved name with the
 * schemas below and refuses the message naming the field. "Offer Ignored" is the platform's own:
 * campaign-customization emits it on campaigns.outcomes.v1 when no answer arrived within the
 * campaign's window, and ingestion refuses it from channels.
 */
export const outcomeEventNames = {
  /** The channel showed or said the offer of a decision to the customer. */
  offerPresented: 'Offer Presented',
  offerAccepted: 'Offer Accepted',
  offerDeclined: 'Offer Declined',
  /** Platform-emitted only: no answer within the campaign's response window. */
  offerIgnored: 'Offer Ignored',
  questionAsked: 'Question Asked',
  questionAnswered: 'Question Answered',
  questionDeclined: 'Question Declined',
} as const;
export type OutcomeEventName = (typeof outcomeEventNames)[keyof typeof outcomeEventNames];

/** Reserved track names only the platform may emit; ingestion refuses them from channels. */
export const platformOnlyEventNames: readonly OutcomeEventName[] = [outcomeEventNames.offerIgnored];

const id = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');

/** Properties of "Offer Presented", "Offer Accepted" and "Offer Declined" track calls. */
export const offerOutcomePropertiesV1 = z
  .looseObject({
    /** The campaign whose offer it was. */
    campaignId: id.describe('The campaign whose offer it was (as managed through /v1/campaigns).'),
    /** The decision that made the offer (next-action answer / campaigns.decisions.v1): ties the outcome to the exact offer. */
    decisionId: id
      .optional()
      .describe('The decision that made the offer (next-action answer, campaigns.decisions.v1 decisionId); recommended.'),
    /** The product option offered, when the channel knows it without the decision. */
    offerId: id.optional().describe('The product option offered (optionId), when no decisionId is sent.'),
    /** Channel the outcome happened on; defaults to the source's channel. */
    channel: id.optional().describe("Channel the outcome happened on; defaults to the source's channel."),
    /** For acceptances: what the acceptance is worth (order value), in the platform's currency. */
    revenue: z
      .number()
      .finite()
      .min(0, 'must be 0 or more')
      .optional()
      .describe('For acceptances: what the acceptance is worth, in the platform currency.'),
  })
  .describe('Properties of the reserved track events Offer Presented, Offer Accepted and Offer Declined.');
export type OfferOutcomePropertiesV1 = z.infer<typeof offerOutcomePropertiesV1>;

/** needs-profiling has always read snake_case aliases of the question id (Segment's property style), so either is accepted. */
function questionIdRequired(value: Record<string, unknown>, ctx: z.RefinementCtx, alsoFactKey: boolean): void {
  const keys = alsoFactKey ? ['questionId', 'question_id', 'factKey', 'fact_key'] : ['questionId', 'question_id'];
  const present = keys.filter((key) => value[key] !== undefined);
  // Each key's own schema checks its value; this only asks for one of them.
  if (present.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['questionId'],
      message: alsoFactKey ? 'questionId (or factKey for a question outside the bank) is required' : 'questionId is required',
    });
  }
}

const questionBase = {
  questionId: id
    .optional()
    .describe('Id of the question in the question bank (GET /v1/customers/{id}/next-question); question_id is accepted too.'),
  question_id: id.optional().describe('snake_case alias of questionId.'),
  channel: id.optional().describe("Channel the question was asked on; defaults to the source's channel."),
};

/** Properties of "Question Asked": the channel put the question to the customer. */
export const questionAskedPropertiesV1 = z
  .looseObject(questionBase)
  .superRefine((value, ctx) => questionIdRequired(value, ctx, false))
  .describe('Properties of the reserved track event Question Asked.');

/** Properties of "Question Answered": the customer's answer, which becomes a fact for its purpose. */
export const questionAnsweredPropertiesV1 = z
  .looseObject({
    ...questionBase,
    factKey: id.optional().describe('For an answer to a question outside the bank: the fact it fills.'),
    fact_key: id.optional().describe('snake_case alias of factKey.'),
    answer: z
      .union([z.string().max(200, 'at most 200 characters'), z.number().finite(), z.boolean()])
      .describe('The answer: a string, number or boolean, as the question expects.'),
  })
  .superRefine((value, ctx) => questionIdRequired(value, ctx, true))
  .describe('Properties of the reserved track event Question Answered (a purpose is required too: context.purpose or properties.purpose).');

/** Properties of "Question Declined": the customer would not answer; not asked again for the question's cooldown. */
export const questionDeclinedPropertiesV1 = z
  .looseObject({
    ...questionBase,
    reason: z.string().max(200).optional().describe('Why, in the channel\'s words (e.g. "prefers not to say").'),
  })
  .superRefine((value, ctx) => questionIdRequired(value, ctx, false))
  .describe('Properties of the reserved track event Question Declined.');

/** The properties schema of each reserved outcome event a channel may send. */
export const outcomeTrackPropertiesV1: Readonly<Record<Exclude<OutcomeEventName, 'Offer Ignored'>, z.ZodType>> = {
  [outcomeEventNames.offerPresented]: offerOutcomePropertiesV1,
  [outcomeEventNames.offerAccepted]: offerOutcomePropertiesV1,
  [outcomeEventNames.offerDeclined]: offerOutcomePropertiesV1,
  [outcomeEventNames.questionAsked]: questionAskedPropertiesV1,
  [outcomeEventNames.questionAnswered]: questionAnsweredPropertiesV1,
  [outcomeEventNames.questionDeclined]: questionDeclinedPropertiesV1,
};

export const offerOutcomeKinds = ['presented', 'accepted', 'declined', 'ignored'] as const;
export type OfferOutcomeKind = (typeof offerOutcomeKinds)[number];

/** The track event name of each offer outcome kind. */
export const offerOutcomeEventName: Readonly<Record<OfferOutcomeKind, OutcomeEventName>> = {
  presented: outcomeEventNames.offerPresented,
  accepted: outcomeEventNames.offerAccepted,
  declined: outcomeEventNames.offerDeclined,
  ignored: outcomeEventNames.offerIgnored,
};

/**
 * One offer outcome, as campaign-customization records it: a channel's Offer Presented /
 * Accepted / Declined tied to its decision, or the platform's Offer Ignored. Keyed by customerId.
 */
export const offerOutcomeDataV1 = z
  .object({
    /** Unique id of the outcome (also the envelope id): deduplicate by it. */
    outcomeId: z.string().min(1).describe('Unique id of the outcome (also the envelope id): deduplicate by it.'),
    customerId: z.string().min(1).describe('The customer (also the Kafka key).'),
    outcome: z
      .enum(offerOutcomeKinds)
      .describe(
        'presented, accepted, declined (reported by a channel) or ignored (no answer within the response window: emitted by the platform).',
      ),
    /** Who reported it: a channel (through ingestion) or the platform itself. */
    reportedBy: z
      .enum(['channel', 'platform'])
      .describe('channel: a reserved track event sent through ingestion; platform: emitted by campaign-customization.'),
    campaignId: z.string().min(1).describe('The campaign whose offer it was.'),
    /** Version of the campaign definition of the decision, when the outcome is tied to one. */
    campaignVersion: z.number().int().positive().optional().describe('Version of the campaign definition the decision used, when known.'),
    /** The decision the outcome answers, when known. */
    decisionId: z.string().min(1).optional().describe('The decision (campaigns.decisions.v1) the outcome answers, when known.'),
    /** The product option offered (the arm arbitration learns on), when known. */
    offerId: z.string().min(1).optional().describe('The product option offered, when known: what arbitration learns response rates for.'),
    channel: z.string().min(1).optional().describe('Channel the offer was made or answered on.'),
    /** The customer's needs archetypes when the offer was decided: the context its response rate is learned in. */
    archetypes: z
      .array(z.string().min(1))
      .describe(
        "The customer's needs archetypes when the offer was decided (empty when none): the context response rates are learned per.",
      ),
    /** Product categories of the offer (from its product option's `category` attribute), for needs learning. */
    categories: z
      .array(z.string().min(1))
      .describe("Product categories of the offer (its product option's category attribute); empty when none."),
    revenue: z.number().finite().min(0).optional().describe('For acceptances: what the acceptance was worth, when the channel said.'),
    /** When the customer responded (for ignored: when the response window closed). */
    occurredAt: z.iso.datetime({ offset: true }).describe('When the customer responded; for ignored, when the response window closed.'),
    /** For ignored: the window that passed without an answer. */
    reason: z.string().optional().describe('Why the platform recorded it (ignored: the window that passed without an answer).'),
  })
  .describe("One offer outcome: a channel's Offer Presented / Accepted / Declined tied to its decision, or the platform's Offer Ignored.");
export type OfferOutcomeDataV1 = z.infer<typeof offerOutcomeDataV1>;
export const offerOutcomeV1 = envelopeOf('offer.outcome', 1, offerOutcomeDataV1);
export type OfferOutcomeV1 = z.infer<typeof offerOutcomeV1>;
