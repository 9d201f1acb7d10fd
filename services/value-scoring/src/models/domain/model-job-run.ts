export type ModelJobKind = 'refit' | 'rescore';

/** One model job asked for through the API (refit or re-scoring), run in the background; its state for the status endpoint. */
export interface ModelJobRun {
  _id: string;
  kind: ModelJobKind;
  /** running until the job ends; then finished (see outcome) or failed (see error). */
  status: 'running' | 'finished' | 'failed';
  /** fitted, already-fitted, insufficient-data, rescored, or busy (another instance held the model-job lock). */
  outcome?: string;
  /** The outcome's figures (the fitted version, the re-scoring counts, what data was missing). */
  result?: Record<string, unknown>;
  error?: string;
  /** The client that asked (the audit trail has the rest). */
  requestedBy: string;
  requestedAt: Date;
  /** Renewed while the job runs: a running job whose heartbeat stopped died with its instance. */
  heartbeatAt: Date;
  finishedAt?: Date;
}
