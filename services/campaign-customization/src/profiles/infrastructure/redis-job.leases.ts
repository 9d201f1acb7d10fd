import { Injectable } from '@nestjs/common';
import { InjectRedis, LeaseLock, type Redis } from '@o2o/redis';
import type { JobLeases } from '../application/ports';

/** One Redis lease per job key (LeaseLock: a token with a TTL, extended while the work runs). */
@Injectable()
export class RedisJobLeases implements JobLeases {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async withLease(key: string, ttlMs: number, work: () => Promise<void>): Promise<void> {
    await new LeaseLock(this.redis, key).withLease(ttlMs, work);
  }
}
