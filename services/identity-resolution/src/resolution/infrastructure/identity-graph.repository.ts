import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { IdentifierV1 } from '@o2o/contracts';
import { CustomerRecord, IdentifierRecord } from './identity-graph.schema';
import { identifierKey, KnownCustomer } from '../domain/resolution';

export interface NewIdentifier {
  identifier: IdentifierV1;
  customerId: string;
  rule: string;
  eventId: string;
  seenAt: Date;
}

export interface Merge {
  survivorId: string;
  mergedId: string;
}

/** The identity graph in the service's own database. Writes never fail on replays: inserts are
 * upserts by _id with $setOnInsert, merges are conditional updates. */
@Injectable()
export class IdentityGraphRepository {
  constructor(
    @InjectModel(IdentifierRecord.name) private readonly identifiers: Model<IdentifierRecord>,
    @InjectModel(CustomerRecord.name) private readonly customers: Model<CustomerRecord>,
  ) {}

  /** Owner of each known identifier key. */
  async owners(keys: string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const docs = await this.identifiers.find({ _id: { $in: keys } }, { customerId: 1 }).lean().exec();
    return new Map(docs.map((d) => [d._id, d.customerId]));
  }

  /** Customers by id, following merges (the map holds the merged records too). */
  async customersFollowingMerges(ids: string[]): Promise<Map<string, KnownCustomer & { mergedInto?: string | undefined }>> {
    const found = new Map<string, KnownCustomer & { mergedInto?: string | undefined }>();
    let pending = [...new Set(ids)];
    for (let hop = 0; hop < 10 && pending.length > 0; hop++) {
      const docs = await this.customers.find({ _id: { $in: pending } }).lean().exec();
      for (const d of docs) found.set(d._id, { id: d._id, createdAt: d.createdAt, mergedInto: d.mergedInto });
      pending = docs.map((d) => d.mergedInto).filter((m): m is string => typeof m === 'string' && !found.has(m));
    }
    return found;
  }

  async write(newCustomers: KnownCustomer[], newIdentifiers: NewIdentifier[], merges: Merge[]): Promise<void> {
    if (newCustomers.length > 0) {
      await this.customers.bulkWrite(
        newCustomers.map((c) => ({
          updateOne: { filter: { _id: c.id }, update: { $setOnInsert: { createdAt: c.createdAt, mergedIds: [] } }, upsert: true },
        })),
        { ordered: false },
      );
    }
    if (newIdentifiers.length > 0) {
      await this.identifiers.bulkWrite(
        newIdentifiers.map((n) => ({
          updateOne: {
            filter: { _id: identifierKey(n.identifier) },
            update: {
              $setOnInsert: {
                type: n.identifier.type,
                value: n.identifier.value,
                customerId: n.customerId,
                firstSeenAt: n.seenAt,
                evidence: { rule: n.rule, eventId: n.eventId },
              },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    for (const merge of merges) {
      await this.customers.updateOne({ _id: merge.mergedId, mergedInto: { $exists: false } }, { $set: { mergedInto: merge.survivorId } }).exec();
      await this.customers.updateOne({ _id: merge.survivorId }, { $addToSet: { mergedIds: merge.mergedId } }).exec();
      await this.identifiers.updateMany({ customerId: merge.mergedId }, { $set: { customerId: merge.survivorId } }).exec();
    }
  }

  async identifiersOf(customerIds: string[]): Promise<Map<string, IdentifierV1[]>> {
    const result = new Map<string, IdentifierV1[]>(customerIds.map((id) => [id, []]));
    if (customerIds.length === 0) return result;
    const docs = await this.identifiers.find({ customerId: { $in: customerIds } }, { type: 1, value: 1, customerId: 1 }).lean().exec();
    for (const d of docs) result.get(d.customerId)?.push({ type: d.type, value: d.value });
    return result;
  }

  async mergedIdsOf(customerIds: string[]): Promise<Map<string, string[]>> {
    const docs = await this.customers.find({ _id: { $in: customerIds } }, { mergedIds: 1 }).lean().exec();
    return new Map(docs.map((d) => [d._id, d.mergedIds ?? []]));
  }

  async lookup(identifier: IdentifierV1): Promise<{ customerId: string; identifiers: IdentifierV1[] } | null> {
    const owner = (await this.owners([identifierKey(identifier)])).get(identifierKey(identifier));
    if (!owner) return null;
    const identifiers = (await this.identifiersOf([owner])).get(owner) ?? [];
    return { customerId: owner, identifiers };
  }
}
