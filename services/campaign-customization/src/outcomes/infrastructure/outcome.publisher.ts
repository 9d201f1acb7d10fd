import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { offerOutcomeV1, topics, type OfferOutcomeDataV1, type OfferOutcomeV1 } from '@o2o/contracts';
import { KafkaPublisher } from '@o2o/kafka';

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

/** Publishes offer outcomes on campaigns.outcomes.v1 (acks=all; the caller marks them published after). */
@Injectable()
export class OutcomePublisher {
  constructor(private readonly publisher: KafkaPublisher) {}

  async publish(outcomes: ReadonlyArray<{ event: OfferOutcomeV1; trace?: Context | undefined }>): Promise<void> {
    if (outcomes.length === 0) return;
    await this.publisher.publish([
      { topic: topics.campaignOutcomes, events: outcomes.map((o) => ({ key: o.event.data.customerId, event: o.event, trace: o.trace })) },
    ]);
  }
}
