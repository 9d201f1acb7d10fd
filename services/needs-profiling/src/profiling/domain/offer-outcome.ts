import { channelSchema, offerOutcomeEventName, type OfferOutcomeDataV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import type { ProfilingConfig } from './profiling-config';

/**
 * An offer outcome (campaigns.outcomes.v1) as the event the profile folds: a track event under
 * the outcome's reserved name, from the outcomes source (so `evidenceOf` reads it as learning
 * input, not activity), with everything deterministic in the outcome id (a redelivery is the same
 * event). Going through the same path as resolved events gives outcomes the journal, merges and
 * splits for free.
 */
export function offerOutcomeEvent(outcome: OfferOutcomeDataV1, config: ProfilingConfig): ResolvedEventDataV1 {
  const channel = channelSchema.safeParse(outcome.channel);
  return {
    messageId: `outcome:${outcome.outcomeId}`,
    sourceId: config.outcomes.sourceId,
    channel: channel.success ? channel.data : 'other',
    eventType: 'track',
    event: offerOutcomeEventName[outcome.outcome],
    customerId: outcome.customerId,
    identifiers: [],
    timestamp: outcome.occurredAt,
    receivedAt: outcome.occurredAt,
    properties: {
      outcome: outcome.outcome,
      campaignId: outcome.campaignId,
      categories: outcome.categories,
      ...(outcome.channel !== undefined ? { channel: outcome.channel } : {}),
      ...(outcome.offerId !== undefined ? { offerId: outcome.offerId } : {}),
      ...(outcome.decisionId !== undefined ? { decisionId: outcome.decisionId } : {}),
    },
  };
}
