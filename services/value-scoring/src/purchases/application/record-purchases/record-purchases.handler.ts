import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { LOGGER, Logger, PlatformMetrics } from '@o2o/observability';
import { Context } from '@opentelemetry/api';
import { EventResolvedV1 } from '@o2o/contracts';
import { OutgoingTombstone } from '@o2o/kafka';
import { APPLIED_EVENTS_KEPT } from '@o2o/mongo';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { VALUE_CONFIG } from '../../../value.tokens';
import { costFrom, purchaseFrom } from '../../domain/purchase';
import { applyEvents } from '../../domain/summary-update';
import { ChangeCause, SummaryInput, SummaryUpdater } from '../update-summaries/summary-updater';

@Injectable()
export class RecordPurchasesHandler {
  private readonly linesArchived: Counter;

  constructor(
    private readonly updater: SummaryUpdater,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: PlatformMetrics,
  ) {
    this.linesArchived = new Counter({
      name: 'o2o_value_order_lines_archived_total',
      help: "Order lines folded into a customer's aggregate because the customer had more than ORDER_LINES_KEPT (bounded customers).",
      registers: [metrics.registry],
    });
  }

  /**
   * Applies a batch of resolved events (once each; events still carrying a merged id count for
   * the survivor) and publishes the customers whose value state moved: one read, one
   * publication and one chunked bulk write for the whole batch (see SummaryUpdater).
   */
  async execute(events: Array<{ event: EventResolvedV1; trace: Context }>): Promise<void> {
    const inputs: SummaryInput[] = events.map(({ event, trace }) => {
      const change = {
        eventId: event.id,
        origin: event.data.customerId,
        // Event time throughout: a year of history imported today must summarise as if it had arrived live.
        seenAt: new Date(event.data.timestamp),
        purchase: purchaseFrom(event.data, this.config.PURCHASE_EVENTS, this.config.REFUND_EVENTS),
        cost: costFrom(event.data, this.config.SERVICE_CALL_EVENTS, this.config.CONTACT_EVENTS),
      };
      return {
        customerId: event.data.customerId,
        followMerges: true,
        create: true,
        apply: (summary) => {
          const next = applyEvents(summary, [change], APPLIED_EVENTS_KEPT, this.config.ORDER_LINES_KEPT);
          const archived = (next?.archive?.lines ?? 0) - (summary.archive?.lines ?? 0);
          if (next && archived > 0) {
            this.linesArchived.inc(archived);
            // Customer ids carry no personal data.
            this.logger.info(
              { customerId: summary._id, archived, kept: next.orders.length, limit: this.config.ORDER_LINES_KEPT },
              'order lines beyond the limit folded into the aggregate',
            );
          }
          return next;
        },
        cause: { trace, causationId: event.id, correlationId: event.correlationid ?? event.data.messageId },
      };
    });
    await this.updater.update(inputs);
  }

  /**
   * Scores the customers whose summary changed since their last score (a redelivered event
   * changes no revision, so it scores and publishes nothing) and publishes material moves, with
   * the given tombstones in the same request.
   */
  async rescore(customerIds: string[], cause: ChangeCause, tombstones: OutgoingTombstone[] = []): Promise<void> {
    await this.updater.update(
      [...new Set(customerIds)].map((customerId) => ({ customerId, followMerges: false, create: false, apply: () => undefined, cause })),
      tombstones,
    );
  }
}
