import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** One part of an assembled offer: the option chosen for one module, and why. */
export const offerModuleChoiceV1 = z.object({
  /** Which part of the offer: product, message, delivery, packaging or payment. */
  module: z.enum(['product', 'message', 'delivery', 'packaging', 'payment']),
  /** Id of the option chosen within the campaign's module. */
  optionId: z.string().min(1),
  label: z.string().optional(),
  /** What the channel needs to render or fulfil the option (sku, template id, ...). */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Why this option fits this customer. */
  reason: z.string(),
});
export type OfferModuleChoiceV1 = z.infer<typeof offerModuleChoiceV1>;

/**
 * A next-best-action decision for one contact. Keyed by customerId. "offer": the channel
 * delivers the offer; "control": the customer is held out, nothing is delivered, and the
 * decision only counts as the control exposure of the campaign.
 */
export const campaignDecidedDataV1 = z.object({
  /** Unique id of the decision (also the envelope id). */
  decisionId: z.string().min(1),
  customerId: z.string().min(1),
  campaignId: z.string().min(1),
  campaignVersion: z.number().int().positive(),
  /** Channel the contact happens on (e.g. "call-centre", "store", "email"). */
  channel: z.string().min(1),
  kind: z.enum(['offer', 'control']),
  /** For control decisions: the campaign's own holdout or the global one. */
  controlGroup: z.enum(['campaign', 'global']).optional(),
  /** The assembled offer, one choice per module (empty for control decisions). */
  modules: z.array(offerModuleChoiceV1),
  /** Why this campaign: segment, consent, caps, arbitration (or why held out). */
  reasons: z.array(z.string()),
  /** When the decision was made (the exposure time for attribution). */
  decidedAt: z.iso.datetime({ offset: true }),
});
export type CampaignDecidedDataV1 = z.infer<typeof campaignDecidedDataV1>;
export const campaignDecidedV1 = envelopeOf('campaign.decided', 1, campaignDecidedDataV1);
export type CampaignDecidedV1 = z.infer<typeof campaignDecidedV1>;
