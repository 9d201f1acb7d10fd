import { outcomeEventNames, type OfferOutcomeDataV1, type OfferOutcomeKind, type ResolvedEventDataV1 } from '@o2o/contracts';
import { armKey } from '../../campaigns/domain/offer-learning';

/** An offer decision awaiting its answer: what the outcome is tied to and learned in. */
export interface OpenOffer {
  decisionId: string;
  customerId: string;
  campaignId: string;
  campaignVersion: number;
  offerId: string;
  channel: string;
  archetypes: string[];
  categories: string[];
  decidedAt: string;
  /** When the offer counts as ignored if no accepted or declined answer came. */
  dueAt: string;
}

/** A channel's outcome event, read from a resolved track event. */
export interface ChannelOutcome {
  eventId: string;
  correlationId?: string | undefined;
  customerId: string;
  outcome: Exclude<OfferOutcomeKind, 'ignored'>;
  campaignId: string;
  decisionId?: string;
  offerId?: string;
  channel: string;
  revenue?: number;
  occurredAt: string;
}

const kindByName: Readonly<Record<string, ChannelOutcome['outcome']>> = {
  [outcomeEventNames.offerPresented]: 'presented',
  [outcomeEventNames.offerAccepted]: 'accepted',
  [outcomeEventNames.offerDeclined]: 'declined',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The offer outcome a resolved event reports, if it is one. Ingestion validated the properties
 * (campaignId required); an event that still lacks it (an older ingestion) is not an outcome.
 */
export function channelOutcomeOf(
  eventId: string,
  correlationId: string | undefined,
  data: ResolvedEventDataV1,
): ChannelOutcome | undefined {
  if (data.eventType !== 'track' || data.event === undefined) return undefined;
  // Own keys only: an event named "constructor" is not an outcome.
  const outcome = Object.hasOwn(kindByName, data.event) ? kindByName[data.event] : undefined;
  if (outcome === undefined) return undefined;
  const properties = data.properties ?? {};
  const campaignId = text(properties['campaignId']);
  if (campaignId === undefined) return undefined;
  const result: ChannelOutcome = {
    eventId,
    correlationId,
    customerId: data.customerId,
    outcome,
    campaignId,
    channel: text(properties['channel']) ?? data.channel,
    occurredAt: data.timestamp,
  };
  const decisionId = text(properties['decisionId']);
  if (decisionId !== undefined) result.decisionId = decisionId;
  const offerId = text(properties['offerId']);
  if (offerId !== undefined) result.offerId = offerId;
  const revenue = properties['revenue'];
  if (typeof revenue === 'number' && Number.isFinite(revenue) && revenue >= 0) result.revenue = revenue;
  return result;
}

/** The outcome id of a channel's report: derived from its event, so a redelivery republishes the same id. */
export function channelOutcomeId(eventId: string): string {
  return `outcome:${eventId}`;
}

export function ignoredOutcomeId(decisionId: string): string {
  return `ignored:${decisionId}`;
}

/** A channel's outcome tied to the decision it answers (or standing alone when none is known). */
export function channelOutcomeData(report: ChannelOutcome, offer: OpenOffer | undefined): OfferOutcomeDataV1 {
  const data: OfferOutcomeDataV1 = {
    outcomeId: channelOutcomeId(report.eventId),
    customerId: report.customerId,
    outcome: report.outcome,
    reportedBy: 'channel',
    campaignId: report.campaignId,
    channel: report.channel,
    archetypes: offer?.archetypes ?? [],
    categories: offer?.categories ?? [],
    occurredAt: report.occurredAt,
  };
  if (offer !== undefined) {
    data.campaignVersion = offer.campaignVersion;
    data.decisionId = offer.decisionId;
    data.offerId = offer.offerId;
  } else {
    if (report.decisionId !== undefined) data.decisionId = report.decisionId;
    if (report.offerId !== undefined) data.offerId = report.offerId;
  }
  if (report.revenue !== undefined) data.revenue = report.revenue;
  return data;
}

/** The platform's Offer Ignored for an offer whose window passed without an answer. */
export function ignoredOutcomeData(offer: OpenOffer, windowHours: number): OfferOutcomeDataV1 {
  return {
    outcomeId: ignoredOutcomeId(offer.decisionId),
    customerId: offer.customerId,
    outcome: 'ignored',
    reportedBy: 'platform',
    campaignId: offer.campaignId,
    campaignVersion: offer.campaignVersion,
    decisionId: offer.decisionId,
    offerId: offer.offerId,
    channel: offer.channel,
    archetypes: offer.archetypes,
    categories: offer.categories,
    occurredAt: offer.dueAt,
    reason: `no answer within ${windowHours} hours`,
  };
}

/** Whether an outcome closes its offer (an answer); Presented does not. */
export function isAnswer(outcome: OfferOutcomeKind): boolean {
  return outcome === 'accepted' || outcome === 'declined';
}

/** The learning key of an outcome: its offer and the customer's first archetype at decision time. */
export function learningKeyOf(data: OfferOutcomeDataV1): string | undefined {
  if (data.outcome === 'presented') return undefined;
  return armKey(data.campaignId, data.offerId ?? data.campaignId, data.archetypes[0] ?? 'none');
}
