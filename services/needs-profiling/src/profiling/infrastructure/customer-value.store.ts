import { Injectable } from '@nestjs/common';
import { InjectModel, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Model, mongo } from 'mongoose';
import { nativeCollectionOf, ONE_REPLY } from '@o2o/mongo';
import type { CustomerValue } from '../domain';
import type { CustomerValues } from '../application/ports/customer-values';

/** The customer's latest value state from value.scores.v1, kept beside (not inside) the profile: it is value-scoring's, replaced whole, never journaled. */
@Schema({ collection: 'customer_values', versionKey: false, minimize: false, strict: false })
export class CustomerValueRecord {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) tier!: string;
  @Prop({ required: true }) actualValue!: number;
  @Prop({ required: true }) strategicValue!: number;
  @Prop({ required: true }) updatedAt!: string;
}
export const CustomerValueRecordSchema = SchemaFactory.createForClass(CustomerValueRecord);

interface StoredValue extends CustomerValue {
  _id: string;
}

/** All the service reads of a stored value (documents may hold more: the schema is not strict). */
const VALUE_FIELDS = { tier: 1, actualValue: 1, strategicValue: 1, updatedAt: 1 } as const;

/** MongoDB's duplicate-key error: an upsert whose filter missed because the stored state is newer. */
const DUPLICATE_KEY = 11000;

@Injectable()
export class CustomerValueStore implements CustomerValues {
  constructor(@InjectModel(CustomerValueRecord.name) private readonly model: Model<CustomerValueRecord>) {}

  /**
   * The driver's collection rather than the model, on both hot paths (every published profile
   * reads its customer's value; every value.scores message is one upsert): mongoose's casting of
   * each id and of each update against this schema of plain strings and numbers cost more CPU
   * than the commands. The values come parsed from the contract, already of the stored types.
   */
  private collection(): mongo.Collection<StoredValue> {
    return nativeCollectionOf<StoredValue>(this.model);
  }

  async find(ids: readonly string[]): Promise<Map<string, CustomerValue>> {
    if (ids.length === 0) return new Map();
    const docs = await this.collection()
      .find({ _id: { $in: [...new Set(ids)] } }, { projection: VALUE_FIELDS, ...ONE_REPLY })
      .toArray();
    return new Map(
      docs.map((d) => [d._id, { tier: d.tier, actualValue: d.actualValue, strategicValue: d.strategicValue, updatedAt: d.updatedAt }]),
    );
  }

  /**
   * Stores each state unless a newer one is held (one bulk write). Times are ISO strings in UTC
   * from value-scoring, so they compare as text. A redelivery or an older state changes nothing;
   * the upsert of a customer holding a newer state fails on its key and is skipped. Returns the
   * customers whose state was written.
   */
  async upsertNewer(values: ReadonlyArray<{ customerId: string; value: CustomerValue }>): Promise<string[]> {
    const latest = new Map<string, CustomerValue>();
    for (const { customerId, value } of values) {
      const held = latest.get(customerId);
      if (held === undefined || held.updatedAt < value.updatedAt) latest.set(customerId, value);
    }
    if (latest.size === 0) return [];
    const entries = [...latest];
    const ops = entries.map(([id, value]) => ({
      updateOne: { filter: { _id: id, updatedAt: { $lt: value.updatedAt } }, update: { $set: { ...value } }, upsert: true },
    }));
    const failed = new Set<number>();
    try {
      await this.collection().bulkWrite(ops, { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ index: number; code: number }> }).writeErrors;
      if (writeErrors === undefined || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      for (const e of writeErrors) failed.add(e.index);
    }
    return entries.filter((_, i) => !failed.has(i)).map(([id]) => id);
  }

  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.model.deleteMany({ _id: { $in: [...ids] } }).exec();
    return result.deletedCount;
  }
}
