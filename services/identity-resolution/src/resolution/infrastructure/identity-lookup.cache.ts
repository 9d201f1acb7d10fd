import { Inject, Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';
import { TypedIdentifier } from '../../matching/domain';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';

export interface CachedCustomer {
  readonly customerId: string;
  readonly identifiers: readonly TypedIdentifier[];
}

const identifierKey = (type: string, value: string): string => `idr:i:${type}:${value}`;
const customerKey = (customerId: string): string => `idr:c:${customerId}`;

/**
 * Redis cache of the lookup API: unique identifier -> customer id, customer id -> identifiers.
 * MongoDB stays the source of truth: every write of a customer rewrites its entries after the
 * write, a miss falls back to MongoDB and fills the cache, and Redis being down only costs speed.
 */
@Injectable()
export class IdentityLookupCache {
  private readonly ttl: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {
    this.ttl = config.LOOKUP_CACHE_TTL_SECONDS;
  }

  async get(type: string, value: string): Promise<CachedCustomer | undefined> {
    try {
      const customerId = await this.redis.get(identifierKey(type, value));
      if (customerId === null) return undefined;
      const json = await this.redis.get(customerKey(customerId));
      if (json === null) return undefined;
      return { customerId, identifiers: JSON.parse(json) as TypedIdentifier[] };
    } catch {
      return undefined;
    }
  }

  /** Writes the current state of customers; merged-away customers are dropped. */
  async store(customers: ReadonlyMap<string, readonly TypedIdentifier[]>, removed: readonly string[] = []): Promise<void> {
    if (customers.size === 0 && removed.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [customerId, identifiers] of customers) {
      pipeline.set(customerKey(customerId), JSON.stringify(identifiers), 'EX', this.ttl);
      for (const identifier of identifiers) {
        if (this.config.rules.types.get(identifier.type)?.unique !== true) continue;
        pipeline.set(identifierKey(identifier.type, identifier.value), customerId, 'EX', this.ttl);
      }
    }
    if (removed.length > 0) pipeline.del(...removed.map(customerKey));
    // A failed cache write must not fail the batch: entries expire and misses read MongoDB.
    await pipeline.exec().catch(() => undefined);
  }

  /** Drops identifier entries that no longer point where they did (after a split). */
  async forgetIdentifiers(identifiers: readonly TypedIdentifier[]): Promise<void> {
    if (identifiers.length === 0) return;
    await this.redis.del(...identifiers.map((i) => identifierKey(i.type, i.value))).catch(() => undefined);
  }
}
