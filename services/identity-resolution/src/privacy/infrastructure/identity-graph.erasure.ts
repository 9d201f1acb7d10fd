import { Injectable } from '@nestjs/common';
import { IdentityCollections } from '../../resolution/infrastructure/identity-graph.collections';
import { ErasableGraph, ErasedCounts, OwnedIdentifier } from '../application/handle-erasure/identity-erasure.ports';

/** The identity graph's MongoDB collections as access and erasure read and delete them. */
@Injectable()
export class IdentityGraphErasure implements ErasableGraph {
  constructor(private readonly collections: IdentityCollections) {}

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    const { identifiers, customers, traitRecords, reviewQueue } = this.collections;
    const [ids, people, traits, reviews] = await Promise.all([
      identifiers.find({ $or: [{ customerId: { $in: customerIds } }, { originCustomerId: { $in: customerIds } }] }).toArray(),
      customers.find({ _id: { $in: customerIds } }).toArray(),
      traitRecords.find({ customerId: { $in: customerIds } }).toArray(),
      reviewQueue.find({ customerIds: { $in: customerIds } }).toArray(),
    ]);
    return { identifiers: ids, customers: people, traitRecords: traits, reviews };
  }

  identifiersOwnedBy(customerIds: string[]): Promise<OwnedIdentifier[]> {
    return this.collections.identifiers
      .find({ $or: [{ customerId: { $in: customerIds } }, { originCustomerId: { $in: customerIds } }] })
      .toArray();
  }

  async erase(customerIds: string[], identifierIds: string[]): Promise<ErasedCounts> {
    const { identifiers, customers, traitRecords, blockingIndex, reviewQueue } = this.collections;
    const records = await traitRecords.find({ customerId: { $in: customerIds } }, { projection: { _id: 1 } }).toArray();
    const recordIds = records.map((r) => r._id);
    if (recordIds.length > 0) {
      // Blocking keys are built from personal traits (phonetic names, phone digits...): a key no
      // other record shares any more must go too.
      // (Rewritten in code: FerretDB v1 ignores $pull with an $in condition.)
      const erased = new Set(recordIds);
      for (const posting of await blockingIndex.find({ ids: { $in: recordIds } }).toArray()) {
        const remaining = posting.ids.filter((id) => !erased.has(id));
        if (remaining.length === 0) await blockingIndex.deleteOne({ _id: posting._id });
        else await blockingIndex.updateOne({ _id: posting._id }, { $set: { ids: remaining } });
      }
    }
    const [deletedIdentifiers, deletedCustomers, deletedRecords, deletedReviews] = await Promise.all([
      identifiers.deleteMany({ _id: { $in: identifierIds } }),
      customers.deleteMany({ $or: [{ _id: { $in: customerIds } }, { mergedInto: { $in: customerIds } }] }),
      traitRecords.deleteMany({ _id: { $in: recordIds } }),
      reviewQueue.deleteMany({ customerIds: { $in: customerIds } }),
    ]);
    return {
      identifiers: deletedIdentifiers.deletedCount,
      customers: deletedCustomers.deletedCount,
      traitRecords: deletedRecords.deletedCount,
      reviews: deletedReviews.deletedCount,
    };
  }
}
