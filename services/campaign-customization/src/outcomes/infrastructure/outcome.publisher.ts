import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { topics, type OfferOutcomeV1 } from '@o2o/contracts';
import { KafkaPublisher } from '@o2o/kafka';
import type { OutcomeEvents } from '../application/ports';

/** Publishes offer outcomes on campaigns.outcomes.v1 (acks=all; the caller marks them published after). */
@Injectable()
export class OutcomePublisher implements OutcomeEvents {
  constructor(private readonly publisher: KafkaPublisher) {}

  async publish(outcomes: ReadonlyArray<{ event: OfferOutcomeV1; trace?: Context | undefined }>): Promise<void> {
    if (outcomes.length === 0) return;
    await this.publisher.publish([
      { topic: topics.campaignOutcomes, events: outcomes.map((o) => ({ key: o.event.data.customerId, event: o.event, trace: o.trace })) },
    ]);
  }
}
