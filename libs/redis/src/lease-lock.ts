import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Compare-and-act scripts: an instance whose lease expired must never extend or delete the lease
// another instance has taken since.
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A leader lease in Redis (SET NX PX with a random token), so that one instance of a service runs
 * a background job at a time. The holder extends it while it works; if it dies, the lease ends
 * with its time to live.
 */
export class LeaseLock {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** The token of the lease if this caller got it. */
  async acquire(ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    return (await this.redis.set(this.key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
  }

  /** False when the lease was lost (expired and taken by another instance). */
  async extend(token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(EXTEND, 1, this.key, token, String(ttlMs))) === 1;
  }

  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, token);
  }
}
