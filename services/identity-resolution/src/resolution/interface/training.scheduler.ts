import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TrainingOutcome | undefined> | undefined;

  constructor(
    private readonly training: TrainMatchingHandler,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.MATCHING_TRAINING_INTERVAL_MS;
    if (interval > 0) this.timer = setInterval(() => void this.run('schedule'), interval);
  }

  // Before shutdown rather than on it: the run in flight still needs MongoDB, Redis and Kafka.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Starts a run unless one is in flight in this process; the promise settles when it ends. */
  run(trigger: TrainingTrigger): Promise<TrainingOutcome | undefined> {
    this.running ??= this.training
      .execute(trigger)
      .then((outcome) => {
        if (outcome.kind === 'trained') {
          this.logger.info({ version: outcome.parameters.version, records: outcome.records, rematched: outcome.rematched, merges: outcome.merges, trigger }, 'matching trained');
        } else if (outcome.kind === 'refused') {
          this.logger.warn({ version: outcome.version, reason: outcome.reason, trigger }, 'matching estimate refused');
        }
        return outcome;
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, trigger }, 'matching training failed');
        if (trigger === 'request') throw error;
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
