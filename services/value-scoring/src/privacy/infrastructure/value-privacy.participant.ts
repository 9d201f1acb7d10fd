import { Injectable } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TopicDefinition, topics } from '@o2o/contracts';
import { PrivacyParticipant, PrivacySettings } from '@o2o/runtime';
import {
  fromStored,
  PurchaseSummaryRecord,
  PurchaseSummarySchema,
  StoredPurchaseSummary,
} from '../../purchases/infrastructure/purchase-summary.schema';

/**
 * Access and erasure for value scoring: a customer's purchase summary (order lines, what it knows
 * of the customer's needs for peer groups, published state) is the only per-customer data; the
 * population's model parameters and tier cut-offs are aggregates and stay.
 */
@Injectable()
export class ValuePrivacyParticipant implements PrivacyParticipant {
  constructor(@InjectModel(PurchaseSummaryRecord.name) private readonly summaries: Model<PurchaseSummaryRecord>) {}

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    // Decoded: the export shows the order lines and score, not the JSON text they are stored as.
    return {
      purchaseSummaries: (
        await this.summaries
          .find({ _id: { $in: customerIds } })
          .lean<StoredPurchaseSummary[]>()
          .exec()
      ).map(fromStored),
    };
  }

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const result = await this.summaries.deleteMany({ $or: [{ _id: { $in: customerIds } }, { mergedInto: { $in: customerIds } }] }).exec();
    return { deleted: { 'mongo:purchase_summaries': result.deletedCount }, tombstones: [topics.valueScores] };
  }
}

export const valuePrivacy: PrivacySettings = {
  imports: [MongooseModule.forFeature([{ name: PurchaseSummaryRecord.name, schema: PurchaseSummarySchema }])],
  participant: ValuePrivacyParticipant,
};
