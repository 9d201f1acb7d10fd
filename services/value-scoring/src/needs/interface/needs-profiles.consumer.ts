import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Context } from '@opentelemetry/api';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { RecordPurchasesHandler } from '../../purchases/application/record-purchases/record-purchases.handler';
import { PurchaseSummaryRepository } from '../../purchases/infrastructure/purchase-summary.repository';

/**
 * Keeps, of each needs profile, only the archetypes (the needs half of the peer-group key) on
 * the customer's summary; a changed profile can move the customer's peer group and so its
 * strategic value.
 */
@Controller()
export class NeedsProfilesConsumer {
  constructor(
    private readonly summaries: PurchaseSummaryRepository,
    private readonly record: RecordPurchasesHandler,
  ) {}

  @BatchHandler(topics.needsProfiles)
  async onProfiles(@Payload() batch: EventBatch<'needsProfiles'>): Promise<void> {
    const changes = [];
    const erased: string[] = [];
    const traceOf = new Map<string, Context>();
    for (const message of batch.messages) {
      if (message.kind === 'tombstone') {
        erased.push(message.key);
        continue;
      }
      const data = message.event.data;
      changes.push({ customerId: data.customerId, archetypes: data.archetypes, updatedAt: new Date(data.updatedAt) });
      traceOf.set(data.customerId, message.trace);
    }
    await this.summaries.applyNeeds(changes);
    await this.summaries.clearNeeds(erased);
    await this.record.rescore([...new Set([...changes.map((c) => c.customerId), ...erased])], traceOf);
  }
}
