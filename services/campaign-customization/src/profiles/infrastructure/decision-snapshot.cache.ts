import { Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { CustomerProfile } from '../../segments/domain/customer-profile';

/** What the next-action path needs of a customer. */
export interface DecisionSnapshot {
  profile: CustomerProfile;
  memberships: Record<string, number>;
  mergedInto?: string;
}

const TTL_SECONDS = 7 * 24 * 3600;

// Stores only a newer version than the one held, so instances finishing writes out of order never regress it.
const PUT = `
local held = redis.call('HGET', KEYS[1], 'v')
if held and tonumber(held) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * The next-action path's copy of each customer's profile and memberships, in Redis: one GET
 * instead of a MongoDB read on the request path (FerretDB reads slow down sharply while the
 * consumer writes). Written after every successful projection write, versioned by the
 * document version; a miss (evicted, expired, never cached) falls back to MongoDB and refills.
 */
@Injectable()
export class DecisionSnapshotCache {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  private key(customerId: string): string {
    return `snapshot:{${customerId}}`;
  }

  async put(entries: ReadonlyArray<{ customerId: string; version: number; snapshot: DecisionSnapshot }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of entries) pipeline.eval(PUT, 1, this.key(e.customerId), e.version, JSON.stringify(e.snapshot), TTL_SECONDS);
    await pipeline.exec();
  }

  async get(customerId: string): Promise<DecisionSnapshot | undefined> {
    const json = await this.redis.hget(this.key(customerId), 's');
    return json === null ? undefined : (JSON.parse(json) as DecisionSnapshot);
  }
}
