import type { HeldLease } from '@o2o/redis';

/** The one-instance-at-a-time lease of the model jobs (models/infrastructure/model-job.lock.ts: a Redis LeaseLock). */
export abstract class ModelJobLease {
  /** The lease, kept extended while held; undefined when another instance holds it. */
  abstract hold(ttlMs: number): Promise<HeldLease | undefined>;
}
