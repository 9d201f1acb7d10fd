import { Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { CapCheck, ContactCounts } from '../domain/contact-cap';

const HOUR_MS = 3_600_000;
/** Longest window any cap may have (campaign-definition caps windows at 90 days). */
const RETENTION_MS = 90 * 24 * HOUR_MS;

/**
 * Checks the caps of the chosen campaign and records the contact in one atomic step, so two
 * concurrent requests for one customer cannot both squeeze under the same cap. KEYS are the
 * contact's scope sets; ARGV: now, member, retention, then (key index, window ms, max) per cap.
 * Returns 0 when recorded, else the index of the key whose cap was reached.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local i = 4
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i])]
  local count = redis.call('ZCOUNT', key, '(' .. (now - tonumber(ARGV[i + 1])), '+inf')
  if count + 1 > tonumber(ARGV[i + 2]) then return tonumber(ARGV[i]) end
  i = i + 3
end
for k = 1, #KEYS do
  redis.call('ZADD', KEYS[k], now, ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[k], ARGV[3])
end
return 0
`;

/**
 * Sliding-window contact counters: one sorted set per customer and scope (all, channel,
 * campaign, campaign+channel), a member per contact scored by its time. Any window is a ZCOUNT,
 * so caps of different windows share one set. The customer id is the hash tag, so one
 * customer's sets stay on one Redis Cluster slot and the reservation script can touch them all.
 */
@Injectable()
export class ContactCounterStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  private key(customerId: string, scope: string): string {
    return `caps:{${customerId}}:${scope}`;
  }

  /**
   * The counts for the given (scope, window) keys in one round trip. On a Redis failure the map
   * is empty: the domain then refuses to contact (an unknown count never allows a contact).
   */
  async counts(customerId: string, needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>, now: Date): Promise<ContactCounts> {
    const counts = new Map<string, number>();
    if (needed.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    for (const n of needed) pipeline.zcount(this.key(customerId, n.scope), `(${now.getTime() - n.windowHours * HOUR_MS}`, '+inf');
    try {
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, value], i) => {
        const n = needed[i];
        if (n !== undefined && error === null && typeof value === 'number') counts.set(n.key, value);
      });
    } catch {
      counts.clear();
    }
    return counts;
  }

  /** Records one contact under every scope if the caps still allow it; false when a cap was reached meanwhile. */
  async reserve(customerId: string, scopes: readonly string[], checks: readonly CapCheck[], contactId: string, now: Date): Promise<boolean> {
    const keys = scopes.map((s) => this.key(customerId, s));
    const args: Array<string | number> = [now.getTime(), contactId, RETENTION_MS];
    for (const check of checks) {
      const index = scopes.indexOf(check.scope);
      if (index === -1) return false;
      args.push(index + 1, check.windowHours * HOUR_MS, check.max);
    }
    const result = await this.redis.eval(RESERVE, keys.length, ...keys, ...args);
    return result === 0;
  }
}
