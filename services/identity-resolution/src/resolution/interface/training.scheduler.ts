import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import { PeriodicJob } from '@o2o/runtime';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import { TrainMatchingHandler, TrainingOutcome, TrainingTrigger } from '../application/train-matching/train-matching.handler';

/**
 * Asks the training job every MATCHING_TRAINING_INTERVAL_MS whether the matcher should train
 * again, on every instance (the job's lease lets one work), and runs requested trainings in the
 * background. Never on the path of an event or a request.
 */
@Injectable()
export class TrainingScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly scheduled: PeriodicJob<TrainingOutcome>;
  private readonly requested: PeriodicJob<TrainingOutcome>;

  constructor(
    training: TrainMatchingHandler,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const job = (trigger: TrainingTrigger) =>
      new PeriodicJob(
        async () => {
          const outcome = await training.execute(trigger);
          if (outcome.kind === 'trained')
            logger.info(
              {
                version: outcome.parameters.version,
                records: outcome.records,
                rematched: outcome.rematched,
                merges: outcome.merges,
                trigger,
              },
              'matching trained',
            );
          if (outcome.kind === 'refused')
            logger.warn({ version: outcome.version, reason: outcome.reason, trigger }, 'matching estimate refused');
          return outcome;
        },
        (error) => logger.error({ err: error, trigger }, 'matching training failed'),
      );
    this.scheduled = job('schedule');
    this.requested = job('request');
  }

  onApplicationBootstrap(): void {
    this.scheduled.start(this.config.MATCHING_TRAINING_INTERVAL_MS);
  }

  // Before shutdown rather than on it: the run in flight still needs MongoDB, Redis and Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.scheduled.stop(), this.requested.stop()]);
  }

  /** Starts a requested run in the background (joining one in flight); settles when it ends. */
  request(): Promise<TrainingOutcome | undefined> {
    return this.requested.run();
  }
}
