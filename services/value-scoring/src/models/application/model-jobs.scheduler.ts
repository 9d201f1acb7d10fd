import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import type { HeldLease } from '@o2o/redis';
import { PeriodicJob } from '@o2o/runtime';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import { PurchaseSummaries } from '../../purchases/application/ports/purchase-summaries.port';
import { INTERIM_MODEL_VERSION } from '../../valuation/domain/customer-valuation';
import { VALUE_CONFIG } from '../../value.tokens';
import type { ModelVersion } from '../domain/model-version';
import { ModelJobLease } from './ports/model-job.lease';
import { ModelVersions } from './ports/model-versions.port';
import { ModelRegistry } from './model.registry';
import { FitOutcome, RefitModelsHandler } from './refit-models/refit-models.handler';
import { JobGuard, RescoreCustomersHandler, RescoreOutcome } from './rescore-customers/rescore-customers.handler';

export type RefitResult =
  | { status: 'fitted'; version: ModelVersion; rescore: RescoreOutcome }
  | { status: 'already-fitted'; version: ModelVersion }
  | { status: 'not-due'; version: ModelVersion }
  | { status: 'busy' }
  | Extract<FitOutcome, { status: 'insufficient-data' }>;

export type RescoreResult = { status: 'rescored'; outcome: RescoreOutcome } | { status: 'busy' };

/**
 * Runs the model jobs (refit, re-scoring) on a schedule and on demand, on one instance at a
 * time: every job runs under the Redis lock, and whether a scheduled job is due is read from
 * MongoDB (the last fit, the last walk), so the schedule survives restarts and does not depend
 * on which instance ticks first.
 */
@Injectable()
export class ModelJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly schedule: PeriodicJob<void>;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly lock: ModelJobLease,
    private readonly refitHandler: RefitModelsHandler,
    private readonly rescoreHandler: RescoreCustomersHandler,
    private readonly registry: ModelRegistry,
    private readonly versions: ModelVersions,
    private readonly summaries: PurchaseSummaries,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = new PeriodicJob(
      () => this.tick(),
      (error) => this.logger.error({ err: error }, 'scheduled model job failed; retried at the next tick'),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.SCHEDULER_ENABLED) this.schedule.start(this.config.SCHEDULER_TICK_MS);
  }

  /** Lets a running job finish its page and stop, so its last writes land before MongoDB closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([this.schedule.stop(), ...this.inFlight]);
  }

  /**
   * A refit asked for at `requestedAt` is satisfied by any fit that started after it: when two
   * instances are asked at once, the second finds the lock taken ("busy") or, if the first has
   * already finished, a fit newer than its request ("already-fitted"); either way one fit.
   */
  async refit(trigger: 'on-demand' | 'schedule', requestedAt = new Date()): Promise<RefitResult> {
    const result = await this.locked(async (lock, guard): Promise<RefitResult> => {
      const latest = await this.versions.latest();
      if (latest) this.registry.useVersion(latest);
      if (latest && trigger === 'on-demand' && latest.fittedAt >= requestedAt) return { status: 'already-fitted', version: latest };
      if (latest && trigger === 'schedule' && Date.now() - latest.fittedAt.getTime() < this.config.REFIT_INTERVAL_MS)
        return { status: 'not-due', version: latest };
      const fit = await this.refitHandler.execute(trigger, guard, lock.token);
      if (fit.status !== 'fitted') return fit;
      this.registry.useVersion(fit.version);
      const rescore = await this.rescoreHandler.execute(guard);
      this.logger.info({ version: fit.version._id, ...rescore }, 'customers re-scored after refit');
      return { status: 'fitted', version: fit.version, rescore };
    });
    return result ?? { status: 'busy' };
  }

  async rescore(): Promise<RescoreResult> {
    const outcome = await this.locked((_lock, guard) => this.rescoreHandler.execute(guard));
    return outcome ? { status: 'rescored', outcome } : { status: 'busy' };
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const [latest, state] = await Promise.all([this.versions.latest(), this.versions.state()]);
    const now = Date.now();
    const refitDue = latest
      ? now - latest.fittedAt.getTime() >= this.config.REFIT_INTERVAL_MS
      : (await this.summaries.countWithPurchases()) >= this.config.FIT_MIN_CUSTOMERS;
    if (refitDue && (await this.refit('schedule')).status === 'fitted') return;
    const current = latest?._id ?? INTERIM_MODEL_VERSION;
    const rescoreDue = !state || state.modelVersion !== current || now - state.walkedAt.getTime() >= this.config.RESCORE_INTERVAL_MS;
    if (rescoreDue) {
      const result = await this.rescore();
      if (result.status === 'rescored') this.logger.info({ ...result.outcome }, 'scheduled re-scoring done');
    }
  }

  /** Runs work under the lock (null when another instance holds it), tracked for shutdown. */
  private async locked<T>(work: (lock: HeldLease, guard: JobGuard) => Promise<T>): Promise<T | null> {
    if (this.stopping) return null;
    const lock = await this.lock.hold(this.config.MODEL_LOCK_TTL_MS);
    if (!lock) return null;
    const guard: JobGuard = { shouldStop: () => this.stopping || lock.lost };
    const run = work(lock, guard).finally(() =>
      lock
        .release()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not release the model-job lock; it expires by itself')),
    );
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }
}
