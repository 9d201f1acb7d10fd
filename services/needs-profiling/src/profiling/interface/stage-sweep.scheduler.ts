import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import type { NeedsProfilingConfig } from '../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../needs.tokens';
import { SweepStagesHandler } from '../application/sweep-stages/sweep-stages.handler';

/** Runs the stage sweep every NEEDS_STAGE_SWEEP_INTERVAL_MS on every instance; the lock lets one of them work. */
@Injectable()
export class StageSweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly sweep: SweepStagesHandler,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.NEEDS_STAGE_SWEEP_INTERVAL_MS;
    if (interval === 0) return;
    this.timer = setInterval(() => this.tick(), interval);
  }

  // Before shutdown rather than on it: Redis and MongoDB close in onApplicationShutdown, and the
  // sweep in flight still needs them to store its page and release its lock.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.sweep
      .execute()
      .then((result) => {
        if (result) this.logger.info(result, 'stage sweep done');
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'stage sweep failed'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
