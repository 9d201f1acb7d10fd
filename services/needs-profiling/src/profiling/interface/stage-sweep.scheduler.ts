import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import { PeriodicJob } from '@o2o/runtime';
import type { NeedsProfilingConfig } from '../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../needs.tokens';
import { SweepStagesHandler } from '../application/sweep-stages/sweep-stages.handler';

/** Runs the stage sweep every NEEDS_STAGE_SWEEP_INTERVAL_MS on every instance; the lock lets one of them work. */
@Injectable()
export class StageSweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job: PeriodicJob<unknown>;

  constructor(
    sweep: SweepStagesHandler,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.job = new PeriodicJob(
      async () => {
        const result = await sweep.execute();
        if (result) logger.info(result, 'stage sweep done');
        return result;
      },
      (error) => logger.error({ err: error }, 'stage sweep failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.NEEDS_STAGE_SWEEP_INTERVAL_MS);
  }

  // Before shutdown rather than on it: Redis and MongoDB close in onApplicationShutdown, and the
  // sweep in flight still needs them to store its page and release its lock.
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
