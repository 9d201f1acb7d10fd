import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { InjectLogger, Logger, PlatformMetrics } from '@o2o/observability';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { HistoryEntry } from '../application/ports/identity-graph.records';
import { IdentityCollections } from './identity-graph.collections';

/**
 * Bounded customers: a customer's `history` (merges, splits, moves, review decisions) keeps the
 * most recent IDENTITY_HISTORY_KEPT entries: every write that adds to it trims it after, and each
 * time older entries fall out a counter and a log line say so. What a customer
 * is made of stays whole elsewhere: merged customers keep their own documents (mergedInto, merge
 * record), so merged ids resolve and explain and split read those, not the history.
 */
@Injectable()
export class HistoryRetention {
  readonly kept: number;
  private readonly trimmed: Counter;

  constructor(
    private readonly db: IdentityCollections,
    @Inject(IDENTITY_CONFIG) config: Pick<IdentityResolutionConfig, 'IDENTITY_HISTORY_KEPT'>,
    metrics: PlatformMetrics,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.kept = config.IDENTITY_HISTORY_KEPT;
    this.trimmed = new Counter({
      name: 'o2o_identity_history_trimmed_total',
      help: "Entries dropped from customers' histories because they held more than IDENTITY_HISTORY_KEPT.",
      registers: [metrics.registry],
    });
  }

  /** The $push operand adding entries (trim afterwards). */
  push(...entries: HistoryEntry[]): { $each: HistoryEntry[] } {
    return { $each: entries };
  }

  /** A whole history as it is written (an insert): the most recent `kept`. */
  bounded(customerId: string, history: readonly HistoryEntry[]): HistoryEntry[] {
    this.dropped([customerId], history.length - this.kept);
    return history.slice(-this.kept);
  }

  /**
   * Drops the oldest entries of these customers' histories beyond `kept`, after a push: one
   * conditional write per entry too many (usually none, so one write that matches nothing).
   * FerretDB v1 ignores $push's $slice, hence $pop on the customers whose entry at index `kept`
   * exists.
   */
  async trim(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return;
    let dropped = 0;
    for (let pass = 0; pass < 1000; pass++) {
      const result = await this.db.customers.updateMany(
        { _id: { $in: ids }, [`history.${this.kept}`]: { $exists: true } },
        { $pop: { history: -1 } },
      );
      if (result.modifiedCount === 0) break;
      dropped += result.modifiedCount;
    }
    this.dropped(ids, dropped);
  }

  private dropped(customerIds: readonly string[], count: number): void {
    if (count <= 0) return;
    this.trimmed.inc(count);
    this.logger.info(
      { customerIds: customerIds.slice(0, 20), kept: this.kept, dropped: count },
      'customer history trimmed to its most recent entries',
    );
  }
}
