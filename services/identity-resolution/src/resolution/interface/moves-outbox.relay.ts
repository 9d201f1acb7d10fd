import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectLogger, Logger } from '@o2o/observability';
import { PeriodicJob } from '@o2o/runtime';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import { IdentityEventsPublisher } from '../infrastructure/identity-events.publisher';
import { IdentityGraphRepository } from '../infrastructure/identity-graph.repository';

/** Moves younger than this are left to the batch or training run that is publishing them. */
const GRACE_MS = 10000;
const PAGE = 100;

/**
 * Publishes re-resolution moves that were written but whose split Kafka never acknowledged (a
 * crash between the two): each part customer carries its move until then (`moveAnnounced`).
 * The split and the part's merge keep their ids, so a move published twice is applied once.
 */
@Injectable()
export class MovesOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: PeriodicJob<number>;

  constructor(
    private readonly graph: IdentityGraphRepository,
    private readonly publisher: IdentityEventsPublisher,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob(
      () => this.relay(),
      (error) => this.logger.warn({ err: error }, 'moves outbox relay failed; retrying at the next interval'),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.MOVES_OUTBOX_RELAY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** One pass: publishes what is waiting; returns how many moves were published. */
  async relay(now = new Date()): Promise<number> {
    const waiting = await this.graph.unannouncedMoves(new Date(now.getTime() - GRACE_MS), PAGE);
    if (waiting.length === 0) return 0;
    const moves = waiting.map((w) => w.move);
    await this.publisher.publish({ moves, merges: waiting.flatMap((w) => (w.merge !== undefined ? [w.merge] : [])) });
    await this.graph.markMovesAnnounced(moves.map((m) => m.partId));
    this.logger.warn({ published: moves.length }, 're-resolution moves published from the outbox');
    return moves.length;
  }
}
