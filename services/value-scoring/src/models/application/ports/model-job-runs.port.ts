import type { ModelJobRun } from '../../domain/model-job-run';

/** The background model jobs' records (models/infrastructure/model-job-run.repository.ts in MongoDB). */
export abstract class ModelJobRuns {
  abstract insert(run: ModelJobRun): Promise<void>;
  /** Renews a running job's heartbeat. */
  abstract heartbeat(id: string, at: Date): Promise<void>;
  /** Ends a running job (a job already ended is left as it is). */
  abstract finish(
    id: string,
    update: Pick<ModelJobRun, 'status'> & Partial<Pick<ModelJobRun, 'outcome' | 'result' | 'error'>>,
  ): Promise<void>;
  abstract get(id: string): Promise<ModelJobRun | null>;
  /** The latest jobs, newest first. */
  abstract recent(limit: number): Promise<ModelJobRun[]>;
}
