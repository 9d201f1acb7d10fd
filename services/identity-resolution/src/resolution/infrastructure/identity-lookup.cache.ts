import { Inject, Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';
import { TypedIdentifier } from '../../matching/domain';
import { CachedCustomer, LookupCache } from '../application/ports/lookup-cache.port';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IdentityRulesProvider } from './identity-rules.provider';
import { LocalLookupCache } from './local-lookup.cache';

const identifierKey = (type: string, value: string): string => `idr:i:${type}:${value}`;

/**
 * Redis cache of the lookup API: unique identifier -> the whole answer (customer id and all its
 * identifiers), so a hit is one GET, or none when this process holds it (LocalLookupCache). MongoDB stays the source of truth: every write of a customer
 * rewrites the entries of all its identifiers after the write, a miss falls back to MongoDB and
 * fills the cache, and Redis being down only costs speed.
 */
@Injectable()
export class IdentityLookupCache implements LookupCache {
  private readonly ttl: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(IDENTITY_CONFIG) config: IdentityResolutionConfig,
    private readonly local: LocalLookupCache,
    private readonly rules: IdentityRulesProvider,
  ) {
    this.ttl = config.LOOKUP_CACHE_TTL_SECONDS;
  }

  async get(type: string, value: string): Promise<CachedCustomer | undefined> {
    const json = await this.answer(type, value);
    return json === undefined ? undefined : (JSON.parse(json) as CachedCustomer);
  }

  /**
   * The answer as stored, a JSON document ready to send: the hot path neither parses nor
   * re-serialises it. Served from this process's memory when the local cache holds it.
   */
  async answer(type: string, value: string): Promise<string | undefined> {
    const key = identifierKey(type, value);
    return this.local.get(key, async () => {
      try {
        return (await this.redis.get(key)) ?? undefined;
      } catch {
        return undefined;
      }
    });
  }

  /** The answer if this process holds it in memory; never waits for Redis. */
  answerInMemory(type: string, value: string): string | undefined {
    return this.local.peek(identifierKey(type, value));
  }

  /**
   * Writes the current state of customers under each of their unique identifiers. A merged-away
   * customer needs no entry of its own: its identifiers now belong to the survivor and are
   * rewritten with it. `_removed` is kept for callers written against the earlier two-key layout
   * (the privacy participant); erased identifiers are dropped with forgetIdentifiers.
   */
  async store(customers: ReadonlyMap<string, readonly TypedIdentifier[]>, _removed: readonly string[] = []): Promise<void> {
    if (customers.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [customerId, identifiers] of customers) {
      const answer = JSON.stringify({ customerId, identifiers });
      for (const identifier of identifiers) {
        if (this.rules.current().types.get(identifier.type)?.unique !== true) continue;
        pipeline.set(identifierKey(identifier.type, identifier.value), answer, 'EX', this.ttl);
      }
    }
    // A failed cache write must not fail the batch: entries expire and misses read MongoDB.
    await pipeline.exec().catch(() => undefined);
  }

  /** Drops identifier entries that no longer point where they did (after a split). */
  async forgetIdentifiers(identifiers: readonly TypedIdentifier[]): Promise<void> {
    if (identifiers.length === 0) return;
    await this.redis.del(...identifiers.map((i) => identifierKey(i.type, i.value))).catch(() => undefined);
  }
}
