import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@o2o/observability';
import { PeriodicJob } from './periodic-job';

/**
 * Where a service keeps events written with its state but not yet acknowledged by Kafka (its
 * outbox): what waits, how it is published, how it is marked published.
 */
export interface Outbox<T> {
  /** Entries written before `before` that Kafka has not acknowledged, oldest first, at most `limit`. */
  waiting(before: Date, limit: number): Promise<T[]>;
  /** Publishes the entries; resolves once Kafka acknowledged them. */
  publish(entries: T[]): Promise<void>;
  /** Marks the entries published, so that the next pass leaves them out. */
  published(entries: T[]): Promise<void>;
}

export interface OutboxRelayOptions {
  /** Names the outbox in log lines. */
  readonly name: string;
  /** Entries younger than this are left to the writer, which publishes them itself. */
  readonly graceMs: number;
  /** Entries published per pass at most. */
  readonly page: number;
  /** How often each instance relays; 0 leaves the relay to relay() alone (tests). */
  readonly intervalMs: number;
}

/**
 * Publishes what a crash between a write and its publish, or a Kafka outage, left in an outbox:
 * every interval on every instance (two relaying at once publish the same event ids, which the
 * consumers apply once), a failed pass retried at the next interval. A service's relay extends it
 * with its outbox; the schedule follows the application's lifecycle.
 */
export class OutboxRelay<T> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: PeriodicJob<number>;

  constructor(
    private readonly outbox: Outbox<T>,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob(
      () => this.pass(new Date()),
      (error) => this.logger.warn({ err: error, outbox: options.name }, 'outbox relay failed; retrying at the next interval'),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.options.intervalMs);
  }

  /** Stops the schedule and waits for a pass in flight. */
  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One pass: publishes what waits, oldest first; returns how many entries were published. */
  relay(now = new Date()): Promise<number> {
    return this.pass(now);
  }

  private async pass(now: Date): Promise<number> {
    const waiting = await this.outbox.waiting(new Date(now.getTime() - this.options.graceMs), this.options.page);
    if (waiting.length === 0) return 0;
    await this.outbox.publish(waiting);
    await this.outbox.published(waiting);
    this.logger.warn(
      { outbox: this.options.name, published: waiting.length },
      'published from the outbox what its writer left unpublished',
    );
    return waiting.length;
  }
}
