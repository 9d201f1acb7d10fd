import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectRedis, Redis } from '@o2o/redis';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import { VALUE_CONFIG } from '../../value.tokens';

const KEY = 'value-scoring:model-jobs';

// Compare-and-act in one step: only the holder of the token may extend or release the lease, so
// an instance whose lease expired (GC pause, partition) can never release another's lock.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** A held lease on the model jobs (refit, re-scoring), renewed in the background until released. */
export class HeldLock {
  private timer: NodeJS.Timeout | undefined;
  private lostLease = false;

  constructor(
    private readonly redis: Redis,
    readonly token: string,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(250, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** True once a renewal found the lease gone: the job must stop writing and give up. */
  get lost(): boolean {
    return this.lostLease;
  }

  private async renew(): Promise<void> {
    try {
      const renewed = await this.redis.eval(RENEW, 1, KEY, this.token, String(this.ttlMs));
      if (renewed !== 1) this.lostLease = true;
    } catch {
      // A failed renewal is not a lost lease yet; the next one decides before the TTL runs out.
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.redis.eval(RELEASE, 1, KEY, this.token);
  }
}

/**
 * The one-instance-at-a-time lock of the model jobs: SET NX PX with a random token. Without Redis
 * no job runs (acquire throws): fitting twice is harmless but wasteful, and skipping a scheduled
 * run only delays it to the next tick.
 */
@Injectable()
export class ModelJobLock {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {}

  async acquire(): Promise<HeldLock | null> {
    const token = randomUUID();
    const ttl = this.config.MODEL_LOCK_TTL_MS;
    const ok = await this.redis.set(KEY, token, 'PX', ttl, 'NX');
    return ok === 'OK' ? new HeldLock(this.redis, token, ttl) : null;
  }

  /** Token of the current holder, for diagnostics. */
  async holder(): Promise<string | null> {
    return this.redis.get(KEY);
  }
}
