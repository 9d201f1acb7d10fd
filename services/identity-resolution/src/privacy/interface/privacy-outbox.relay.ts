import { Inject, Injectable } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';
import { OutboxRelay } from '@o2o/runtime';
import { PrivacyRepository } from '../infrastructure/privacy.repository';
import { PRIVACY_SETTINGS, PrivacySettings } from '../privacy.tokens';

type WaitingRequest = Awaited<ReturnType<PrivacyRepository['unpublished']>>[number];

/**
 * Publishes privacy requests that were recorded but whose event Kafka never acknowledged (a crash
 * between the two, or Kafka away when the request came): the outbox of `privacy_requests`. Every
 * instance relays; two publishing the same request publish the same event id, which every
 * service's erasure and export handle once.
 */
@Injectable()
export class PrivacyOutboxRelay extends OutboxRelay<WaitingRequest> {
  constructor(
    repository: PrivacyRepository,
    publisher: KafkaPublisher,
    @Inject(PRIVACY_SETTINGS) settings: PrivacySettings,
    @InjectLogger() logger: Logger,
  ) {
    super(
      {
        waiting: (before, limit) => repository.unpublished(before, limit),
        publish: (waiting) =>
          publisher.publish([
            { topic: topics.privacyRequests, events: waiting.map((w) => ({ key: w.key, event: w.event }) as OutgoingEvent) },
          ]),
        published: (waiting) => repository.published(waiting.map((w) => w.requestId)),
      },
      // Requests younger than the grace are left to the request that is publishing them.
      { name: 'privacy requests', graceMs: 5000, page: 100, intervalMs: settings.outboxRelayMs },
      logger,
    );
  }
}
