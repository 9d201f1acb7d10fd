import { rateLimited, isAudited, rateLimitKeyOf, type ClientRateLimit, type Principal, type Scope } from '@o2o/auth';
import type { Logger, PlatformMetrics } from '@o2o/observability';
import type { Redis } from '@o2o/redis';
import { Counter } from 'prom-client';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface ClientRateLimitSettings {
  /** Customer-facing calls (events, profile reads, decisions) per client per second, per instance. */
  perSecond: number;
  /** Privileged calls (every other scope) per client per minute, across all instances. */
  privilegedPerMinute: number;
}

/**
 * Per-client limits with rate-limiter-flexible, in two classes:
 * - privileged calls (administration, exports, erasure, models, matching, segments, campaigns:
 *   the scopes the audit trail records) are few and some are expensive, so their budget is
 *   counted in Redis and shared by every instance (a client cannot multiply it by the replica
 *   count); if Redis is away each instance counts the same budget in memory;
 * - customer-facing calls (profile lookups, next actions, events) are the hot path, thousands a
 *   second, answered in under a millisecond: counted in each instance's memory (no Redis round
 *   trip per lookup), so a client's budget is this limit times the instances it reaches.
 */
export class RedisClientRateLimit implements ClientRateLimit {
  private readonly privileged: RateLimiterRedis;
  private readonly customerFacing: RateLimiterMemory;
  private readonly refused: Counter<'class'>;

  constructor(
    redis: Redis,
    settings: ClientRateLimitSettings,
    metrics: PlatformMetrics,
    private readonly logger: Logger,
  ) {
    this.privileged = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'client-rate:privileged',
      points: settings.privilegedPerMinute,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({
        keyPrefix: 'client-rate:privileged:memory',
        points: settings.privilegedPerMinute,
        duration: 60,
      }),
    });
    this.customerFacing = new RateLimiterMemory({ keyPrefix: 'client-rate:customer-facing', points: settings.perSecond, duration: 1 });
    this.refused = new Counter({
      name: 'o2o_http_rate_limited_total',
      help: 'Calls refused with 429 for the client rate limit, by class (privileged, customer-facing).',
      labelNames: ['class'] as const,
      registers: [metrics.registry],
    });
  }

  async consume(principal: Principal, scope: Scope): Promise<void> {
    const privileged = isAudited(scope);
    const limiter: RateLimiterAbstract = privileged ? this.privileged : this.customerFacing;
    try {
      await limiter.consume(rateLimitKeyOf(principal));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.refused.inc({ class: privileged ? 'privileged' : 'customer-facing' });
        throw rateLimited(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      // Both the store and its in-memory insurance failed (not expected): let the call through.
      this.logger.warn({ err: rejection }, 'client rate limiter unavailable');
    }
  }
}
