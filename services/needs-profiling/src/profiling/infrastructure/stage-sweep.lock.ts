import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';

const KEY = 'needs:stage-sweep:lock';

// Compare-and-act scripts: an instance whose lock expired must never extend or delete the lock
// another instance has taken since.
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Leader lock of the stage sweep (SET NX PX with a random token), so one instance sweeps at a time. */
@Injectable()
export class StageSweepLock {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** The token of the lock if this caller got it. */
  async acquire(ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    return (await this.redis.set(KEY, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
  }

  async extend(token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(EXTEND, 1, KEY, token, String(ttlMs))) === 1;
  }

  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, KEY, token);
  }
}
