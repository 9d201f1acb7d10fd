import { Injectable } from '@nestjs/common';
import { InjectRedis, LeaseLock, Redis } from '@o2o/redis';
import { StageSweepLease } from '../application/ports/stage-sweep.lease';

/** Leader lock of the stage sweep, so one instance sweeps at a time. */
@Injectable()
export class StageSweepLock extends LeaseLock implements StageSweepLease {
  constructor(@InjectRedis() redis: Redis) {
    super(redis, 'needs:stage-sweep:lock');
  }
}
