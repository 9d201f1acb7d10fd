import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch, KafkaPublisher } from '@o2o/kafka';
import { RecordPurchasesHandler } from '../application/record-purchases/record-purchases.handler';
import { PurchaseSummaryRepository } from '../infrastructure/purchase-summary.repository';

@Controller()
export class ValueEventsConsumer {
  constructor(
    private readonly record: RecordPurchasesHandler,
    private readonly summaries: PurchaseSummaryRepository,
    private readonly publisher: KafkaPublisher,
  ) {}

  @BatchHandler(topics.identityEvents)
  async onResolved(@Payload() batch: EventBatch<'identityEvents'>): Promise<void> {
    await this.record.execute(batch.messages.flatMap((m) => (m.kind === 'event' ? [{ event: m.event, trace: m.trace }] : [])));
  }

  /** Merges fold the merged customer's history into the survivor; its own state is tombstoned. */
  @BatchHandler(topics.identityChanges)
  async onIdentityChange(@Payload() batch: EventBatch<'identityChanges'>): Promise<void> {
    for (const message of batch.messages) {
      if (message.kind !== 'event' || message.event.type !== 'customer.merged') continue;
      const { survivorId, mergedId } = message.event.data;
      await this.summaries.fold(survivorId, mergedId);
      await this.record.publishChanged([survivorId], new Map([[survivorId, message.trace]]), true);
      await this.publisher.publishTombstones(topics.valueScores, [mergedId]);
    }
  }
}
