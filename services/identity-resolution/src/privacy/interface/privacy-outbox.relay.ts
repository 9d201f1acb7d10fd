import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';
import { PeriodicJob } from '@o2o/runtime';
import { PrivacyRepository } from '../infrastructure/privacy.repository';
import { PRIVACY_SETTINGS, PrivacySettings } from '../privacy.tokens';

/** Requests newer than this are left to the request that is publishing them. */
const GRACE_MS = 5000;
const PAGE = 100;

/**
 * Publishes privacy requests that were recorded but whose event Kafka never acknowledged (a crash
 * between the two, or Kafka away when the request came): the outbox of `privacy_requests`. Every
 * instance relays; two publishing the same request publish the same event id, which every
 * service's erasure and export handle once.
 */
@Injectable()
export class PrivacyOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: PeriodicJob<number>;

  constructor(
    private readonly repository: PrivacyRepository,
    private readonly publisher: KafkaPublisher,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob(
      () => this.relay(),
      (error) => this.logger.warn({ err: error }, 'privacy outbox relay failed; retrying at the next interval'),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.settings.outboxRelayMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** One pass: publishes what is waiting, oldest first; returns how many were published. */
  async relay(now = new Date()): Promise<number> {
    const waiting = await this.repository.unpublished(new Date(now.getTime() - GRACE_MS), PAGE);
    if (waiting.length === 0) return 0;
    const events = waiting.map((w) => ({ key: w.key, event: w.event }) as OutgoingEvent);
    await this.publisher.publish([{ topic: topics.privacyRequests, events }]);
    await this.repository.published(waiting.map((w) => w.requestId));
    this.logger.warn({ published: waiting.length }, 'privacy requests published from the outbox');
    return waiting.length;
  }
}
