import { Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { DecisionSnapshot, DecisionSnapshots, HeldSnapshot } from '../application/ports';

const TTL_SECONDS = 7 * 24 * 3600;

/**
 * The Redis key of a customer's snapshot. The customer id is the hash tag, as for the contact
 * counters, so the reservation script can check the snapshot's version beside the caps.
 */
export function snapshotKey(customerId: string): string {
  return `snapshot:{${customerId}}`;
}

// Stores only a newer version than the one held, so instances finishing writes out of order never regress it.
const PUT = `
local held = redis.call('HGET', KEYS[1], 'v')
if held and tonumber(held) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * The next-action path's copy of each customer's profile and memberships, in Redis, shared by
 * all instances: written after every successful projection write, versioned by the document
 * version; a miss (evicted, expired, never cached) falls back to MongoDB and refills. The
 * version field is what every instance's in-process copy is checked against on each request,
 * so a change written by any instance, or an erasure (which deletes the key), is seen at once.
 */
@Injectable()
export class DecisionSnapshotCache implements DecisionSnapshots {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async put(entries: ReadonlyArray<{ customerId: string; version: number; snapshot: DecisionSnapshot }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.eval(PUT, 1, snapshotKey(e.customerId), e.version, JSON.stringify(e.snapshot), TTL_SECONDS);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed?.[0]) throw failed[0];
  }

  /**
   * Removes snapshots, so that readers fall back to MongoDB: used when a refresh after a
   * projection write failed, since a snapshot older than the document must not be served.
   */
  async drop(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of customerIds) pipeline.del(snapshotKey(id));
    await pipeline.exec();
  }

  async get(customerId: string): Promise<HeldSnapshot | undefined> {
    const [version, json] = await this.redis.hmget(snapshotKey(customerId), 'v', 's');
    if (version === null || json === null || json === undefined || version === undefined) return undefined;
    return { version: Number(version), json };
  }
}
