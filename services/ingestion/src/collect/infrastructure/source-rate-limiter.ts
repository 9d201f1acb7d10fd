import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InjectLogger, Logger } from '@o2o/observability';
import { InjectRedis, Redis } from '@o2o/redis';
import type { IngestionConfig } from '../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../ingestion.tokens';
import { IngestionMetrics } from '../application/ingestion.metrics';

import type { RateDecision, SourceRate } from '../application/ports';

/**
 * Events per second per source, counted in Redis so all instances share one budget. If Redis is
 * unavailable, each instance falls back to an in-memory limiter of the same size (the stated
 * choice: keep accepting, still bounded per instance, rather than reject every channel or
 * accept without limit).
 */
@Injectable()
export class SourceRateLimiter implements SourceRate {
  private readonly limiter: RateLimiterRedis;

  constructor(
    @InjectRedis() redis: Redis,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
    private readonly metrics: IngestionMetrics,
    @InjectLogger() private readonly logger: Logger,
  ) {
    const points = config.RATE_LIMIT_EVENTS_PER_SECOND;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'ingest:rate',
      points,
      duration: 1,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: 'ingest:rate:memory', points, duration: 1 }),
    });
  }

  async consume(sourceId: string, events: number): Promise<RateDecision> {
    try {
      await this.limiter.consume(sourceId, Math.max(1, events));
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.metrics.rateLimited.inc({ source: sourceId }, events);
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      // Both limiters failed (should not happen with the in-memory insurance): do not block.
      this.logger.warn({ err: rejection }, 'rate limiter unavailable');
      return { allowed: true };
    }
  }
}
