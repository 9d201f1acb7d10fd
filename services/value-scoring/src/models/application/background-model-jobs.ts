import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LOGGER, Logger } from '@o2o/observability';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import { VALUE_CONFIG } from '../../value.tokens';
import type { ModelJobKind, ModelJobRun } from '../domain/model-job-run';
import { ModelJobRuns } from './ports/model-job-runs.port';
import type { ModelVersion } from '../domain/model-version';
import { ModelJobs } from './model-jobs.scheduler';

/** What the status endpoint shows of a job. */
export interface ModelJobView {
  id: string;
  kind: ModelJobKind;
  /** abandoned: it was running on an instance that stopped before finishing it (ask again). */
  status: 'running' | 'finished' | 'failed' | 'abandoned';
  outcome?: string;
  result?: Record<string, unknown>;
  error?: string;
  requestedBy: string;
  requestedAt: string;
  finishedAt?: string;
}

export function versionView(v: ModelVersion) {
  return {
    version: v._id,
    purchaseModel: v.purchases,
    spendModel: { model: 'gamma-gamma', params: v.spend },
    logLikelihood: v.logLikelihood,
    converged: v.converged,
    fittedAt: v.fittedAt.toISOString(),
    dataWindow: { from: v.dataWindow.from.toISOString(), to: v.dataWindow.to.toISOString() },
    customers: v.customers,
    repeatCustomers: v.repeatCustomers,
    population: v.population,
    timeUnitDays: v.timeUnitDays,
    fitSeconds: v.fitSeconds,
    trigger: v.trigger,
  };
}

/**
 * Refits and re-scorings asked for through the API run in the background: the call answers 202
 * with a job at once (a fit over every customer takes minutes, far longer than an HTTP call should
 * be held open), and GET /v1/models/jobs/{id} follows it. The job itself is ModelJobs' (the Redis
 * lock keeps it to one instance at a time); its state lives in `model_job_runs`, so any instance
 * answers the status. A running job renews a heartbeat; one whose heartbeat is older than the
 * model-job lease died with its instance and shows as abandoned.
 */
@Injectable()
export class BackgroundModelJobs implements BeforeApplicationShutdown {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly jobs: ModelJobs,
    private readonly runs: ModelJobRuns,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records the job and starts it; resolves once it is recorded, not when it ends. */
  async start(kind: ModelJobKind, requestedBy: string): Promise<ModelJobView> {
    const now = new Date();
    const run: ModelJobRun = { _id: randomUUID(), kind, status: 'running', requestedBy, requestedAt: now, heartbeatAt: now };
    await this.runs.insert(run);
    const work = this.execute(run).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return this.view(run);
  }

  async status(id: string): Promise<ModelJobView | undefined> {
    const run = await this.runs.get(id);
    return run ? this.view(run) : undefined;
  }

  async recent(limit: number): Promise<ModelJobView[]> {
    return (await this.runs.recent(limit)).map((r) => this.view(r));
  }

  /** Shutdown waits for jobs in flight (ModelJobs stops them at their next page). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async execute(run: ModelJobRun): Promise<void> {
    const beat = setInterval(
      () => void this.runs.heartbeat(run._id, new Date()).catch(() => undefined),
      Math.max(250, Math.floor(this.config.MODEL_LOCK_TTL_MS / 3)),
    );
    beat.unref();
    try {
      if (run.kind === 'refit') {
        const result = await this.jobs.refit('on-demand', run.requestedAt);
        switch (result.status) {
          case 'fitted':
            await this.runs.finish(run._id, {
              status: 'finished',
              outcome: result.status,
              result: { model: versionView(result.version), rescore: result.rescore },
            });
            break;
          case 'already-fitted':
          case 'not-due':
            await this.runs.finish(run._id, { status: 'finished', outcome: result.status, result: { model: versionView(result.version) } });
            break;
          case 'busy':
            await this.runs.finish(run._id, {
              status: 'finished',
              outcome: 'busy',
              result: {
                message: 'another instance was running a model job (refit or re-scoring); its result is picked up by every instance',
              },
            });
            break;
          case 'insufficient-data':
            await this.runs.finish(run._id, {
              status: 'finished',
              outcome: result.status,
              result: {
                reason: result.reason,
                population: result.population,
                customers: result.customers,
                repeatCustomers: result.repeatCustomers,
              },
            });
            break;
        }
      } else {
        const result = await this.jobs.rescore();
        await this.runs.finish(
          run._id,
          result.status === 'rescored'
            ? { status: 'finished', outcome: 'rescored', result: { ...result.outcome } }
            : { status: 'finished', outcome: 'busy', result: { message: 'another instance was running a model job' } },
        );
      }
    } catch (error) {
      this.logger.error({ err: error, job: run._id, kind: run.kind }, 'model job failed');
      await this.runs
        .finish(run._id, { status: 'failed', error: error instanceof Error ? error.message : String(error) })
        .catch(() => undefined);
    } finally {
      clearInterval(beat);
    }
  }

  private view(run: ModelJobRun): ModelJobView {
    const stale = run.status === 'running' && Date.now() - run.heartbeatAt.getTime() > this.config.MODEL_LOCK_TTL_MS;
    return {
      id: run._id,
      kind: run.kind,
      status: stale ? 'abandoned' : run.status,
      ...(run.outcome !== undefined ? { outcome: run.outcome } : {}),
      ...(run.result !== undefined ? { result: run.result } : {}),
      ...(run.error !== undefined ? { error: run.error } : {}),
      requestedBy: run.requestedBy,
      requestedAt: run.requestedAt.toISOString(),
      ...(run.finishedAt ? { finishedAt: run.finishedAt.toISOString() } : {}),
    };
  }
}
