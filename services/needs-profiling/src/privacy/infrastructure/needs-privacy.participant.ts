import { Injectable } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TopicDefinition, topics } from '@o2o/contracts';
import { PrivacyParticipant, PrivacySettings } from '@o2o/runtime';
import { fromDocument, NeedsProfileDocument } from '../../profiling/infrastructure/needs-profile.document';
import { NeedsProfileRecord, NeedsProfileRecordSchema } from '../../profiling/infrastructure/needs-profile.schema';
import { CustomerValueRecord, CustomerValueRecordSchema } from '../../profiling/infrastructure/customer-value.store';

/**
 * Access and erasure for needs profiles: the profile document holds everything this service
 * knows (facts, evidence, the journal kept for splits, the last published state), so exporting
 * and erasing it covers all of it; the compacted needs topic gets tombstones. The export shows
 * the profile, the publication and the journal entries as objects, not as the JSON text they are
 * stored as.
 */
@Injectable()
export class NeedsPrivacyParticipant implements PrivacyParticipant {
  constructor(
    @InjectModel(NeedsProfileRecord.name) private readonly profiles: Model<NeedsProfileRecord>,
    @InjectModel(CustomerValueRecord.name) private readonly values: Model<CustomerValueRecord>,
  ) {}

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    const documents = await this.profiles
      .find({ _id: { $in: customerIds } })
      .lean<NeedsProfileDocument[]>()
      .exec();
    const values = await this.values
      .find({ _id: { $in: customerIds } })
      .lean()
      .exec();
    return { needsProfiles: documents.map(fromDocument), customerValues: values };
  }

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const result = await this.profiles.deleteMany({ _id: { $in: customerIds } }).exec();
    // The copy of value-scoring's state kept for question priority goes too (value-scoring erases its own).
    const values = await this.values.deleteMany({ _id: { $in: customerIds } }).exec();
    return {
      deleted: { 'mongo:needs_profiles': result.deletedCount, 'mongo:customer_values': values.deletedCount },
      tombstones: [topics.needsProfiles],
    };
  }
}

export const needsPrivacy: PrivacySettings = {
  imports: [
    MongooseModule.forFeature([
      { name: NeedsProfileRecord.name, schema: NeedsProfileRecordSchema },
      { name: CustomerValueRecord.name, schema: CustomerValueRecordSchema },
    ]),
  ],
  participant: NeedsPrivacyParticipant,
};
