import { Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import { snapshotKey } from '../../profiles/infrastructure/decision-snapshot.cache';
import type { CapCheck, ContactCounts } from '../../campaigns/domain/contact-cap';
import type { ContactCaps, ContactHistory } from '../application/ports';

const HOUR_MS = 3_600_000;
/** Longest window any cap may have (campaign-definition caps windows at 90 days). */
const RETENTION_MS = 90 * 24 * HOUR_MS;

/**
 * Checks the caps of the chosen campaign and records the contact in one atomic step, so two
 * concurrent requests for one customer cannot both squeeze under the same cap. KEYS are the
 * customer's snapshot, then the contact's scope sets; ARGV: now, member, retention, the
 * snapshot version the decision was made on, then (key index, window ms, max) per cap.
 * Returns 0 when recorded, -1 when the customer's snapshot changed since it was read (a consent
 * withdrawn meanwhile must not be contacted), else the index of the key whose cap was reached.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[4] then return -1 end
local i = 5
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i])]
  local count = redis.call('ZCOUNT', key, '(' .. (now - tonumber(ARGV[i + 1])), '+inf')
  if count + 1 > tonumber(ARGV[i + 2]) then return tonumber(ARGV[i]) end
  i = i + 3
end
for k = 2, #KEYS do
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
export class ContactCounterStore implements ContactCaps, ContactHistory {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  private key(customerId: string, scope: string): string {
    return `caps:{${customerId}}:${scope}`;
  }

  /**
   * In one round trip: the counts for the given (scope, window) keys of the customer, and the
   * snapshot versions of the given customers (the decision's customer and the merged-away ids
   * that led to it), against which the caller checks the copies it decided on. On a Redis
   * failure both maps are empty: the domain then refuses to contact (an unknown count never
   * allows a contact) and the caller reads the customers from MongoDB.
   */
  async read(
    customerId: string,
    needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>,
    now: Date,
    versionsOf: readonly string[],
  ): Promise<{ counts: ContactCounts; versions: ReadonlyMap<string, number> }> {
    const counts = new Map<string, number>();
    const versions = new Map<string, number>();
    const pipeline = this.redis.pipeline();
    for (const id of versionsOf) pipeline.hget(snapshotKey(id), 'v');
    for (const n of needed) pipeline.zcount(this.key(customerId, n.scope), `(${now.getTime() - n.windowHours * HOUR_MS}`, '+inf');
    try {
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, value], i) => {
        if (error !== null) return;
        const id = versionsOf[i];
        if (id !== undefined) {
          if (typeof value === 'string') versions.set(id, Number(value));
          return;
        }
        const n = needed[i - versionsOf.length];
        if (n !== undefined && typeof value === 'number') counts.set(n.key, value);
      });
    } catch {
      counts.clear();
      versions.clear();
    }
    return { counts, versions };
  }

  /**
   * Records one contact under every scope if the caps still allow it and the customer's
   * snapshot is still at the version decided on: 'capped' when a cap was reached meanwhile,
   * 'stale' when the customer changed meanwhile (the caller decides again on the new state).
   */
  async reserve(
    customerId: string,
    snapshotVersion: number,
    scopes: readonly string[],
    checks: readonly CapCheck[],
    contactId: string,
    now: Date,
  ): Promise<'reserved' | 'capped' | 'stale'> {
    const keys = [snapshotKey(customerId), ...scopes.map((s) => this.key(customerId, s))];
    const args: Array<string | number> = [now.getTime(), contactId, RETENTION_MS, String(snapshotVersion)];
    for (const check of checks) {
      const index = scopes.indexOf(check.scope);
      if (index === -1) return 'capped';
      args.push(index + 2, check.windowHours * HOUR_MS, check.max);
    }
    // An explicit one-command pipeline is written at once; a plain call would wait for the
    // client's auto-pipelining (setImmediate), which under load costs the request several ms.
    const [reply] =
      (await this.redis
        .pipeline()
        .eval(RESERVE, keys.length, ...keys, ...args)
        .exec()) ?? [];
    if (reply === undefined) throw new Error('no reply to the contact reservation');
    const [error, result] = reply;
    if (error !== null) throw error;
    return result === 0 ? 'reserved' : result === -1 ? 'stale' : 'capped';
  }

  /**
   * For the customer screen, in one round trip: the counts of the given (scope, window) keys,
   * the latest contacts (all channels, newest first, within the retention) with their times,
   * and which of the given campaigns each was made by.
   */
  async history(
    customerId: string,
    needed: ReadonlyArray<{ scope: string; windowHours: number; key: string }>,
    campaignIds: readonly string[],
    now: Date,
    latest: number,
  ): Promise<{ counts: Map<string, number>; contacts: Array<{ contactId: string; at: string; campaignId?: string }> }> {
    const read = this.redis.pipeline();
    for (const n of needed) read.zcount(this.key(customerId, n.scope), `(${now.getTime() - n.windowHours * HOUR_MS}`, '+inf');
    read.zrevrangebyscore(this.key(customerId, 'all'), '+inf', `(${now.getTime() - RETENTION_MS}`, 'WITHSCORES', 'LIMIT', 0, latest);
    const results = (await read.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed?.[0]) throw failed[0];
    const counts = new Map<string, number>();
    needed.forEach((n, i) => counts.set(n.key, Number(results[i]?.[1] ?? 0)));
    const flat = (results[needed.length]?.[1] as string[] | undefined) ?? [];
    const contacts: Array<{ contactId: string; at: string; campaignId?: string }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      contacts.push({ contactId: flat[i] ?? '', at: new Date(Number(flat[i + 1])).toISOString() });
    if (contacts.length > 0 && campaignIds.length > 0) {
      const owners = this.redis.pipeline();
      for (const campaignId of campaignIds)
        owners.zmscore(this.key(customerId, `campaign:${campaignId}`), ...contacts.map((c) => c.contactId));
      const found = (await owners.exec()) ?? [];
      campaignIds.forEach((campaignId, i) => {
        const [error, scores] = found[i] ?? [null, null];
        if (error || !Array.isArray(scores)) return;
        scores.forEach((score: unknown, j: number) => {
          const contact = contacts[j];
          if (score !== null && contact !== undefined && contact.campaignId === undefined) contact.campaignId = campaignId;
        });
      });
    }
    return { counts, contacts };
  }
}
