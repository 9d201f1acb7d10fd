import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { EventResolvedV1, topics, ValueScoredDataV1, ValueTier } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { VALUE_CONFIG } from '../../../value.tokens';
import { HISTORIC_MODEL_VERSION, historicTier } from '../../domain/historic-score';
import { purchaseFrom } from '../../domain/purchase';
import { PurchaseSummaryRepository } from '../../infrastructure/purchase-summary.repository';
import { PurchaseSummary } from '../../infrastructure/purchase-summary.schema';

const SOURCE = '/services/value-scoring';

@Injectable()
export class RecordPurchasesHandler {
  constructor(
    private readonly summaries: PurchaseSummaryRepository,
    private readonly publisher: KafkaPublisher,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {}

  /** Applies a batch of resolved events (once each) and publishes the customers whose value state changed. */
  async execute(events: Array<{ event: EventResolvedV1; trace: Context }>): Promise<void> {
    const survivors = await this.summaries.survivors([...new Set(events.map((e) => e.event.data.customerId))]);
    const changes = events.map(({ event }) => ({
      customerId: survivors.get(event.data.customerId) ?? event.data.customerId,
      eventId: event.id,
      seenAt: new Date(event.data.timestamp),
      purchase: purchaseFrom(event.data, this.config.PURCHASE_EVENTS, this.config.REFUND_EVENTS),
    }));
    await this.summaries.apply(changes);
    const traceOf = new Map(events.map((e, i) => [changes[i]?.customerId ?? '', e.trace]));
    await this.publishChanged([...new Set(changes.map((c) => c.customerId))], traceOf);
  }

  async publishChanged(customerIds: string[], traceOf = new Map<string, Context>(), force = false): Promise<void> {
    const summaries = await this.summaries.find(customerIds);
    const now = new Date().toISOString();
    const outgoing: OutgoingEvent[] = [];
    const published: Array<{ customerId: string; tier: ValueTier; value: number }> = [];
    for (const summary of summaries) {
      if (summary.mergedInto) continue;
      const data = this.score(summary, now);
      const material = force || summary.publishedTier !== data.tier || summary.publishedValue === undefined || Math.abs(data.actualValue - summary.publishedValue) >= 0.01;
      if (!material) continue;
      outgoing.push({
        key: summary._id,
        trace: traceOf.get(summary._id),
        event: createEnvelope({ type: 'customer.value-scored', version: 1, source: SOURCE, subject: summary._id, data }),
      });
      published.push({ customerId: summary._id, tier: data.tier, value: data.actualValue });
    }
    await this.publisher.publish([{ topic: topics.valueScores, events: outgoing }]);
    await this.summaries.markPublished(published);
  }

  private score(summary: PurchaseSummary, now: string): ValueScoredDataV1 {
    const tier = historicTier(summary.revenue);
    return {
      customerId: summary._id,
      actualValue: round(summary.revenue),
      strategicValue: 0,
      tier,
      ...(summary.publishedTier ? { previousTier: summary.publishedTier as ValueTier } : {}),
      purchases: summary.purchases,
      revenue: round(summary.revenue),
      ...(summary.firstPurchaseAt ? { firstPurchaseAt: summary.firstPurchaseAt.toISOString() } : {}),
      ...(summary.lastPurchaseAt ? { lastPurchaseAt: summary.lastPurchaseAt.toISOString() } : {}),
      currency: this.config.VALUE_CURRENCY,
      modelVersion: HISTORIC_MODEL_VERSION,
      reasons: [`net revenue ${round(summary.revenue)} ${this.config.VALUE_CURRENCY} over ${summary.purchases} purchase(s) puts the customer in tier ${tier}`],
      updatedAt: now,
    };
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
