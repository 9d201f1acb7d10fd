import { Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { CustomerMergedDataV1, CustomerSplitDataV1 } from '@o2o/contracts';
import { PurchaseSummaries } from '../ports/purchase-summaries.port';
import { RecordPurchasesHandler } from '../record-purchases/record-purchases.handler';

/** The identity change being applied: its trace and ids go on the value states it moves. */
export interface IdentityChange {
  eventId: string;
  correlationId: string | undefined;
  trace: Context;
}

@Injectable()
export class ApplyIdentityChangesHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly record: RecordPurchasesHandler,
  ) {}

  /**
   * Folds the merged customer into the survivor, re-scores the survivor and tombstones the
   * merged state, the survivor's state and the tombstone in one request.
   */
  async merge(data: CustomerMergedDataV1, change: IdentityChange): Promise<void> {
    await this.summaries.fold(data.survivorId, data.mergedId);
    // The tombstone is repeated on a redelivery on purpose: it is idempotent and the fold may
    // have been done by an attempt that crashed before it.
    await this.record.rescore([data.survivorId], causeOf(change), [{ key: data.mergedId, trace: change.trace }]);
  }

  /** Gives the split customer's order lines back to the parts and re-scores each part. */
  async split(data: CustomerSplitDataV1, change: IdentityChange): Promise<void> {
    const parts = data.parts.map((p) => ({ customerId: p.customerId, identifiers: p.identifiers.map((i) => `${i.type}:${i.value}`) }));
    const changed = await this.summaries.split(change.eventId, data.customerId, parts);
    await this.record.rescore(changed, causeOf(change));
  }
}

function causeOf(change: IdentityChange) {
  return { trace: change.trace, causationId: change.eventId, correlationId: change.correlationId };
}
