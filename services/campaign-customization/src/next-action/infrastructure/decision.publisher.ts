import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { topics } from '@o2o/contracts';
import { KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, PlatformMetrics, type Logger } from '@o2o/observability';
import { DecisionNotStoredError, type DecisionEvents } from '../application/ports';

/** Longest wait for Kafka's acknowledgement of a decision before the request fails (503). */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * A decision is answered only once Kafka has it (acks=all), as ingestion answers events: what a
 * crash or a broker outage can then cost is an answer, never a decision whose contact happened
 * without its event (it used to leave behind the answer from an in-process queue, lost on a
 * crash). Concurrent requests' decisions go out together: the publisher combines the calls
 * waiting for its one request in flight into the next (group commit), so the wait is about one
 * Kafka round trip. A failed request is retried by the caller with the same Idempotency-Key: the
 * decision id derives from it, so the retry reserves the same contact (no second count) and
 * publishes the same event id (consumers deduplicate).
 */
@Injectable()
export class DecisionPublisher implements DecisionEvents {
  private readonly failed: Counter;

  constructor(
    private readonly publisher: KafkaPublisher,
    @InjectLogger() private readonly logger: Logger,
    metrics: PlatformMetrics,
  ) {
    this.failed = new Counter({
      name: 'o2o_campaign_decisions_unstored_total',
      help: 'Decision requests that failed because Kafka did not acknowledge the decision in time.',
      registers: [metrics.registry],
    });
  }

  /** Resolves once Kafka acknowledged the decision; else throws DecisionNotStoredError. */
  async publish(event: OutgoingEvent): Promise<void> {
    try {
      await this.publisher.publish([{ topic: topics.campaignDecisions, events: [event] }], { deadline: Date.now() + PUBLISH_TIMEOUT_MS });
    } catch (error) {
      this.failed.inc();
      this.logger.warn(
        { err: error, decisionId: event.event.id },
        'decision not acknowledged by Kafka; the request fails and may be retried',
      );
      throw new DecisionNotStoredError(error);
    }
  }
}
