import { Injectable } from '@nestjs/common';
import { InjectRedis, LeaseLock, Redis } from '@o2o/redis';
import { ModelJobLease } from '../application/ports/model-job.lease';

/**
 * The one-instance-at-a-time lease of the model jobs (refit, re-scoring). Without Redis no job
 * runs (taking the lease throws): fitting twice is harmless but wasteful, and skipping a scheduled
 * run only delays it to the next tick.
 */
@Injectable()
export class ModelJobLock extends LeaseLock implements ModelJobLease {
  constructor(@InjectRedis() redis: Redis) {
    super(redis, 'value-scoring:model-jobs');
  }
}
