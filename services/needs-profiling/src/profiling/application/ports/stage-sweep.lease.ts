import type { HeldLease } from '@o2o/redis';

/** The one-instance-at-a-time lease of the stage sweep (profiling/infrastructure/stage-sweep.lock.ts: a Redis LeaseLock). */
export abstract class StageSweepLease {
  /** The lease, kept extended while held; undefined when another instance holds it. */
  abstract hold(ttlMs: number): Promise<HeldLease | undefined>;
}
