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

  /** Token of the current holder, if any (diagnostics and tests). */
  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }

  /**
   * Takes the lease and keeps it while the caller works: it is extended every third of its time
   * to live in the background, so a long job never has to remember to. undefined when another
   * instance holds it.
   */
  async hold(ttlMs: number): Promise<HeldLease | undefined> {
    const token = await this.acquire(ttlMs);
    return token === undefined ? undefined : new HeldLease(this, token, ttlMs);
  }

  /** Runs work while holding the lease and releases it after; undefined (work not run) when another instance holds it. */
  async withLease<T>(ttlMs: number, work: (lease: HeldLease) => Promise<T>): Promise<T | undefined> {
    const lease = await this.hold(ttlMs);
    if (!lease) return undefined;
    try {
      return await work(lease);
    } finally {
      // A lease that cannot be released (Redis away) ends with its time to live.
      await lease.release().catch(() => undefined);
    }
  }
}

/** A lease this instance holds, extended in the background until released or lost. */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private lostLease = false;

  constructor(
    private readonly lock: LeaseLock,
    readonly token: string,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(250, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** True once an extension found the lease gone (expired and maybe taken): the work must stop writing. */
  get lost(): boolean {
    return this.lostLease;
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.lock.extend(this.token, this.ttlMs))) this.lostLease = true;
    } catch {
      // A failed extension is not a lost lease yet; the next one decides before the time to live runs out.
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.lock.release(this.token);
  }
}
