import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { EventResolvedV1, topics } from '@o2o/contracts';
import { KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import { VALUE_CONFIG } from '../../../value.tokens';
import { purchaseFrom } from '../../domain/purchase';
import { PurchaseSummaryRepository, ScoreWrite } from '../../infrastructure/purchase-summary.repository';

@Injectable()
export class RecordPurchasesHandler {
  constructor(
    private readonly summaries: PurchaseSummaryRepository,
    private readonly scorer: CustomerScorer,
    private readonly publisher: KafkaPublisher,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {}

  /** Applies a batch of resolved events (once each) and publishes the customers whose value state moved. */
  async execute(events: Array<{ event: EventResolvedV1; trace: Context }>): Promise<void> {
    const survivors = await this.summaries.survivors([...new Set(events.map((e) => e.event.data.customerId))]);
    const changes = events.map(({ event }) => ({
      customerId: survivors.get(event.data.customerId) ?? event.data.customerId,
      eventId: event.id,
      origin: event.data.customerId,
      // Event time throughout: a year of history imported today must summarise as if it had arrived live.
      seenAt: new Date(event.data.timestamp),
      purchase: purchaseFrom(event.data, this.config.PURCHASE_EVENTS, this.config.REFUND_EVENTS),
    }));
    await this.summaries.apply(changes);
    const traceOf = new Map<string, Context>();
    changes.forEach((c, i) => {
      const trace = events[i]?.trace;
      if (trace) traceOf.set(c.customerId, trace);
    });
    await this.rescore([...new Set(changes.map((c) => c.customerId))], traceOf);
  }

  /**
   * Scores the customers whose summary changed since their last score (a redelivered event
   * changes no revision, so it scores and publishes nothing) and publishes material moves.
   * Publishing comes before the write that records it: a crash in between republishes the same
   * full state under the same event id, which a compacted topic absorbs.
   */
  async rescore(customerIds: string[], traceOf = new Map<string, Context>()): Promise<void> {
    const summaries = await this.summaries.find(customerIds);
    const now = new Date();
    const outgoing: OutgoingEvent[] = [];
    const writes: ScoreWrite[] = [];
    for (const summary of summaries) {
      if (summary.mergedInto || !this.scorer.needsLines(summary)) continue;
      const scored = this.scorer.score(summary, now);
      const settled = this.scorer.settle(scored, this.scorer.placeByCutoffs(scored.valuation.actualValue), now, `r${summary.revision}:${scored.model.version}`);
      writes.push(settled.write);
      if (settled.event) outgoing.push({ ...settled.event, trace: traceOf.get(summary._id) });
    }
    await this.publisher.publish([{ topic: topics.valueScores, events: outgoing }]);
    await this.summaries.writeScores(writes);
  }
}
