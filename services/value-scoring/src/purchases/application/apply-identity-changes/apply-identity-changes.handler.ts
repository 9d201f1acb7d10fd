import { Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { CustomerMergedDataV1, CustomerSplitDataV1, topics } from '@o2o/contracts';
import { KafkaPublisher } from '@o2o/kafka';
import { PurchaseSummaryRepository } from '../../infrastructure/purchase-summary.repository';
import { RecordPurchasesHandler } from '../record-purchases/record-purchases.handler';

@Injectable()
export class ApplyIdentityChangesHandler {
  constructor(
    private readonly summaries: PurchaseSummaryRepository,
    private readonly record: RecordPurchasesHandler,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** Folds the merged customer into the survivor, re-scores the survivor, tombstones the merged state. */
  async merge(data: CustomerMergedDataV1, trace: Context): Promise<void> {
    await this.summaries.fold(data.survivorId, data.mergedId);
    await this.record.rescore([data.survivorId], new Map([[data.survivorId, trace]]));
    // Repeated on a redelivery on purpose: a tombstone is idempotent and the fold may have been
    // done by an attempt that crashed before it.
    await this.publisher.publishTombstones(topics.valueScores, [data.mergedId]);
  }

  /** Gives the split customer's order lines back to the parts and re-scores each part. */
  async split(eventId: string, data: CustomerSplitDataV1, trace: Context): Promise<void> {
    const parts = data.parts.map((p) => ({ customerId: p.customerId, identifiers: p.identifiers.map((i) => `${i.type}:${i.value}`) }));
    const changed = await this.summaries.split(eventId, data.customerId, parts);
    await this.record.rescore(changed, new Map(changed.map((id) => [id, trace])));
  }
}
