import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { topics } from '@o2o/contracts';
import { KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, PlatformMetrics, type Logger } from '@o2o/observability';

/**
 * Decisions sent per request to Kafka. Checking and encoding a send is synchronous work on the
 * event loop the requests share, so a backlog leaves in modest sends rather than one long stall.
 */
const MAX_BATCH = 50;
/** Decisions held while Kafka is unreachable; beyond this the oldest are given up (and counted). */
const MAX_QUEUED = 100_000;
const MAX_BACKOFF_MS = 5_000;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Decisions leave for Kafka behind the answer: the contact is already recorded in Redis, with
 * its caps, when a decision is queued here, so the request does not wait for Kafka's
 * acknowledgement (the largest share of its latency). Queued decisions go out together in one
 * sendBatch per round (group commit), retried with backoff while Kafka is unreachable, and are
 * drained on shutdown before the producer disconnects. What a crash loses is the last few
 * milliseconds of decisions: their exposures are missing from lift, never their caps.
 */
@Injectable()
export class DecisionPublisher implements BeforeApplicationShutdown {
  private queue: OutgoingEvent[] = [];
  private flushing: Promise<void> | undefined;
  private readonly given: Counter;

  constructor(
    private readonly publisher: KafkaPublisher,
    @InjectLogger() private readonly logger: Logger,
    metrics: PlatformMetrics,
  ) {
    const registers = [metrics.registry];
    this.given = new Counter({ name: 'o2o_campaign_decisions_unpublished_total', help: 'Decisions given up after Kafka stayed unreachable with the queue full.', registers });
    const queue = () => this.queue.length;
    new Gauge({
      name: 'o2o_campaign_decisions_queued',
      help: 'Decisions answered but not yet acknowledged by Kafka.',
      registers,
      collect() {
        this.set(queue());
      },
    });
  }

  /** Queues a decision for the next send; does not wait for it. */
  publish(event: OutgoingEvent): void {
    this.queue.push(event);
    this.trim();
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const flushing = this.flushing;
    if (flushing === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DRAIN_TIMEOUT_MS);
    });
    const outcome = await Promise.race([flushing.then(() => 'drained' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error({ queued: this.queue.length }, 'decisions not published before shutdown');
  }

  private async flush(): Promise<void> {
    let backoff = 100;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.publisher.publish([{ topic: topics.campaignDecisions, events: batch }]);
        backoff = 100;
      } catch (error) {
        this.queue = [...batch, ...this.queue];
        this.trim();
        this.logger.warn({ err: error, queued: this.queue.length, retryInMs: backoff }, 'decisions not published yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private trim(): void {
    const excess = this.queue.length - MAX_QUEUED;
    if (excess <= 0) return;
    this.queue.splice(0, excess);
    this.given.inc(excess);
    this.logger.error({ given: excess }, 'decision queue full: oldest decisions given up');
  }
}
