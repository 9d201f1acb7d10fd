import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** One part of an assembled offer: the option chosen for one module, and why. */
export const offerModuleChoiceV1 = z
  .object({
    /** Which part of the offer: product, message, delivery, packaging or payment. */
    module: z.enum(['product', 'message', 'delivery', 'packaging', 'payment']).describe('Which part of the offer this choice fills.'),
    /** Id of the option chosen within the campaign's module. */
    optionId: z.string().min(1).describe("Id of the option chosen within the campaign's module."),
    label: z.string().optional().describe('Human-readable name of the option.'),
    /** What the channel needs to render or fulfil the option (sku, template id, ...). */
    attributes: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .describe('What the channel needs to render or fulfil the option (sku, template id, ...).'),
    /** Why this option fits this customer. */
    reason: z.string().describe('Why this option fits this customer.'),
  })
  .describe('One part of an assembled offer: the option chosen for one module, and why.');
export type OfferModuleChoiceV1 = z.infer<typeof offerModuleChoiceV1>;

/**
 * A next-best-action decision for one contact. Keyed by customerId. "offer": the channel
 * delivers the offer; "control": the customer is held out, nothing is delivered, and the
 * decision only counts as the control exposure of the campaign.
 */
export const campaignDecidedDataV1 = z
  .object({
    /** Unique id of the decision (also the envelope id). */
    decisionId: z.string().min(1).describe('Unique id of the decision (also the envelope id): deduplicate by it.'),
    customerId: z.string().min(1).describe('The customer the decision is for (also the Kafka key).'),
    campaignId: z.string().min(1).describe('The campaign, as managed through /v1/campaigns.'),
    campaignVersion: z.number().int().positive().describe('Version of the campaign definition the decision used.'),
    /** Channel the contact happens on (e.g. "call-centre", "store", "email"). */
    channel: z.string().min(1).describe('Channel the contact happens on (e.g. "call-centre", "store", "email").'),
    kind: z.enum(['offer', 'control']).describe('offer: deliver the assembled offer; control: held out, deliver nothing.'),
    /** For control decisions: the campaign's own holdout or the global one. */
    controlGroup: z
      .enum(['campaign', 'global'])
      .optional()
      .describe("For control decisions: the campaign's own holdout or the global one."),
    /** The assembled offer, one choice per module (empty for control decisions). */
    modules: z.array(offerModuleChoiceV1).describe('The assembled offer, one choice per module (empty for control decisions).'),
    /** Why this campaign: segment, consent, caps, arbitration (or why held out). */
    reasons: z.array(z.string()).describe('Why this campaign: segment, consent, caps, arbitration (or why held out).'),
    /** The customer's needs archetypes when decided: the context the offer's response rate is learned in (added in v1; absent from older decisions). */
    archetypes: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "The customer's needs archetypes when decided: the context the offer's response rate is learned in (absent from older decisions).",
      ),
    /** When the decision was made (the exposure time for attribution). */
    decidedAt: z.iso.datetime({ offset: true }).describe('When the decision was made: the exposure time for attribution.'),
  })
  .describe('A next-best-action decision for one contact: an offer to deliver, or a control-group holdout.');
export type CampaignDecidedDataV1 = z.infer<typeof campaignDecidedDataV1>;
export const campaignDecidedV1 = envelopeOf('campaign.decided', 1, campaignDecidedDataV1);
export type CampaignDecidedV1 = z.infer<typeof campaignDecidedV1>;
