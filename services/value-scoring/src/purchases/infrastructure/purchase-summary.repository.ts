import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { BulkOperation, ensureThenApply, onceFilter, recordApplied } from '@o2o/mongo';
import { PurchaseFact } from '../domain/purchase';
import { PurchaseSummary } from './purchase-summary.schema';

export interface SummaryChange {
  customerId: string;
  eventId: string;
  seenAt: Date;
  purchase: PurchaseFact | null;
}

@Injectable()
export class PurchaseSummaryRepository {
  constructor(@InjectModel(PurchaseSummary.name) private readonly summaries: Model<PurchaseSummary>) {}

  /** Applies each change once (keyed by event id) in two bulk writes for the whole batch. */
  async apply(changes: SummaryChange[]): Promise<void> {
    const operations: BulkOperation[] = changes.map((c) => {
      const update: Record<string, Record<string, unknown>> = {
        $push: { appliedEvents: recordApplied(c.eventId)['appliedEvents'] },
        $min: { firstSeenAt: c.seenAt },
      };
      if (c.purchase) {
        const p = c.purchase;
        update['$inc'] = { revenue: p.amount, purchases: p.amount >= 0 ? 1 : 0 };
        (update['$push'] as Record<string, unknown>)['orders'] = { orderId: p.orderId, at: p.at, amount: p.amount };
        update['$addToSet'] = { channels: p.channel, categories: { $each: p.categories } };
        if (p.amount >= 0) {
          update['$min'] = { ...update['$min'], firstPurchaseAt: p.at };
          update['$max'] = { lastPurchaseAt: p.at };
        }
      }
      return { updateOne: { filter: onceFilter(c.customerId, c.eventId), update } };
    });
    await ensureThenApply(
      this.summaries,
      changes.map((c) => ({ id: c.customerId, onInsert: { purchases: 0, revenue: 0, orders: [], channels: [], categories: [] } })),
      operations,
    );
  }

  async find(customerIds: string[]): Promise<PurchaseSummary[]> {
    if (customerIds.length === 0) return [];
    return this.summaries.find({ _id: { $in: customerIds } }).lean().exec();
  }

  /** Where merged customers went: events still carrying a merged id count for the survivor. */
  async survivors(customerIds: string[]): Promise<Map<string, string>> {
    const docs = await this.summaries.find({ _id: { $in: customerIds }, mergedInto: { $exists: true } }, { mergedInto: 1 }).lean().exec();
    return new Map(docs.flatMap((d) => (d.mergedInto ? [[d._id, d.mergedInto] as const] : [])));
  }

  async markPublished(states: Array<{ customerId: string; tier: string; value: number }>): Promise<void> {
    if (states.length === 0) return;
    await this.summaries.bulkWrite(
      states.map((s) => ({ updateOne: { filter: { _id: s.customerId }, update: { $set: { publishedTier: s.tier, publishedValue: s.value } } } })),
      { ordered: false },
    );
  }

  /**
   * Folds a merged customer's history into the survivor: order lines and applied events are
   * unioned (so folding twice is harmless), totals recomputed from the lines.
   */
  async fold(survivorId: string, mergedId: string): Promise<boolean> {
    const [survivor, merged] = await Promise.all([
      this.summaries.findById(survivorId).lean().exec(),
      this.summaries.findById(mergedId).lean().exec(),
    ]);
    if (!merged || merged.mergedInto === survivorId) {
      if (!merged) await this.summaries.updateOne({ _id: mergedId }, { $set: { mergedInto: survivorId } }, { upsert: true }).exec();
      return false;
    }
    const lines = new Map<string, { orderId: string; at: Date; amount: number }>();
    for (const l of [...(survivor?.orders ?? []), ...merged.orders]) lines.set(`${l.orderId}:${Math.sign(l.amount)}`, l);
    const orders = [...lines.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    const purchases = orders.filter((o) => o.amount >= 0);
    const seen = [survivor?.firstSeenAt, merged.firstSeenAt].filter((d): d is Date => !!d);
    await this.summaries
      .updateOne(
        { _id: survivorId },
        {
          $set: {
            orders,
            purchases: purchases.length,
            revenue: orders.reduce((sum, o) => sum + o.amount, 0),
            ...(purchases[0] ? { firstPurchaseAt: purchases[0].at } : {}),
            ...(purchases.length > 0 ? { lastPurchaseAt: purchases[purchases.length - 1]?.at } : {}),
            ...(seen.length > 0 ? { firstSeenAt: new Date(Math.min(...seen.map((d) => d.getTime()))) } : {}),
            channels: [...new Set([...(survivor?.channels ?? []), ...merged.channels])],
            categories: [...new Set([...(survivor?.categories ?? []), ...merged.categories])],
            appliedEvents: [...new Set([...(survivor?.appliedEvents ?? []), ...merged.appliedEvents])].slice(-400),
          },
        },
        { upsert: true },
      )
      .exec();
    await this.summaries.updateOne({ _id: mergedId }, { $set: { mergedInto: survivorId } }).exec();
    return true;
  }
}
