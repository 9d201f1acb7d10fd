import { offerOutcomeV1, type OfferOutcomeDataV1, type OfferOutcomeV1 } from '@o2o/contracts';

export const OUTCOME_SOURCE = '/services/campaign-customization';

/** The envelope of one offer outcome: its id is the outcome id, so a republication deduplicates. */
export function outcomeEnvelope(data: OfferOutcomeDataV1, cause?: { eventId: string; correlationId?: string | undefined }): OfferOutcomeV1 {
  return offerOutcomeV1.parse({
    specversion: '1.0',
    id: data.outcomeId,
    source: OUTCOME_SOURCE,
    type: 'offer.outcome',
    version: 1,
    time: data.occurredAt,
    subject: data.customerId,
    datacontenttype: 'application/json',
    ...(cause !== undefined ? { causationid: cause.eventId } : {}),
    ...(cause?.correlationId !== undefined ? { correlationid: cause.correlationId } : {}),
    data,
  });
}
