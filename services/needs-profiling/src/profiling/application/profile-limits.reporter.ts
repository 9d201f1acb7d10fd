import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { LOGGER, Logger, PlatformMetrics } from '@o2o/observability';
import type { NeedsProfilingConfig } from '../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../needs.tokens';
import type { ProfileLimit } from '../domain';

/**
 * Reports the bounds of a customer's profile that applied to a write (bounded customers): one
 * count per bound in o2o_needs_customer_limits_applied_total and one log line per customer.
 */
@Injectable()
export class ProfileLimitsReporter {
  private readonly applied: Counter<'limit'>;

  constructor(
    platform: PlatformMetrics,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.applied = new Counter({
      name: 'o2o_needs_customer_limits_applied_total',
      help: "Writes of a customer's needs profile at which one of its bounds dropped or refused something (asked-questions, declined-questions: questionBank.askedKept; fact-keys: explicit.maxFacts), by bound.",
      labelNames: ['limit'],
      registers: [platform.registry],
    });
  }

  report(customerId: string, limits: Iterable<ProfileLimit>): void {
    const applied = [...new Set(limits)];
    if (applied.length === 0) return;
    for (const limit of applied) this.applied.inc({ limit });
    const profiling = this.config.profiling;
    // Customer ids carry no personal data: the id says whose profile to look at.
    this.logger.warn(
      { customerId, limits: applied, askedKept: profiling.questionBank.askedKept, maxFacts: profiling.explicit.maxFacts },
      'customer profile limit applied',
    );
  }
}
