import { Inject, Injectable } from '@nestjs/common';
import { TopicDefinition, topics } from '@o2o/contracts';
import { PrivacyParticipant } from '@o2o/runtime';
import { IdentityCollections } from '../../../resolution/infrastructure/identity-graph.collections';
import { IdentityLookupCache } from '../../../resolution/infrastructure/identity-lookup.cache';
import { DataKeyStore } from '../../../keys/infrastructure/data-key.store';
import { pseudonym } from '../../domain/pseudonym';
import { PrivacyRepository } from '../../infrastructure/privacy.repository';
import { PRIVACY_SETTINGS, PrivacySettings } from '../../privacy.tokens';

/** Routing identifiers: the subjects of events before identity resolution (ingestion keys them by userId, else anonymousId). */
const ROUTING_TYPES = new Set(['userId', 'anonymousId']);

/** The key-store subjects of erased customers: their ids and every routing identifier they were seen under. */
export function dataKeySubjects(customerIds: string[], identifiers: Array<{ type: string; value: string }>): string[] {
  return [
    ...customerIds.map((id) => `customer:${id}`),
    ...identifiers.filter((i) => ROUTING_TYPES.has(i.type)).map((i) => `routing:${i.value}`),
  ];
}

/**
 * Access and erasure for the identity graph. Erasing first records the customer's identifiers as
 * keyed hashes (so events that arrive later, or a replay of ingest.events, meet the late-event
 * policy instead of recreating the customer), then deletes identifiers, customers, trait records,
 * their blocking postings, review entries and the lookup cache, and tombstones the snapshots.
 */
@Injectable()
export class IdentityPrivacyParticipant implements PrivacyParticipant {
  constructor(
    private readonly collections: IdentityCollections,
    private readonly cache: IdentityLookupCache,
    private readonly repository: PrivacyRepository,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    private readonly dataKeys: DataKeyStore,
  ) {}

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

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const { identifiers, customers, traitRecords, blockingIndex, reviewQueue } = this.collections;
    const owned = await identifiers
      .find({ $or: [{ customerId: { $in: customerIds } }, { originCustomerId: { $in: customerIds } }] })
      .toArray();
    // Which erasure it was, without naming the customer.
    const requestId = pseudonym(this.settings.pseudonymKey, customerIds[0] ?? '');
    await this.repository.markErased(
      owned.map((i) => pseudonym(this.settings.pseudonymKey, `${i.type}:${i.value}`)),
      requestId,
    );
    // Crypto-shredding: whatever the topics still hold under these keys (ingest.*, identity.*,
    // dead letters) can never be read again. Before the identifiers go: they name the routing keys.
    const destroyedKeys = await this.dataKeys.destroy(dataKeySubjects(customerIds, owned));
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
      identifiers.deleteMany({ _id: { $in: owned.map((i) => i._id) } }),
      customers.deleteMany({ $or: [{ _id: { $in: customerIds } }, { mergedInto: { $in: customerIds } }] }),
      traitRecords.deleteMany({ _id: { $in: recordIds } }),
      reviewQueue.deleteMany({ customerIds: { $in: customerIds } }),
    ]);
    await this.cache.forgetIdentifiers(owned.map((i) => ({ type: i.type, value: i.value })));
    await this.cache.store(new Map(), customerIds);
    return {
      deleted: {
        'mongo:identifiers': deletedIdentifiers.deletedCount,
        'mongo:customers': deletedCustomers.deletedCount,
        'mongo:trait_records': deletedRecords.deletedCount,
        'mongo:review_queue': deletedReviews.deletedCount,
        'redis:lookup_entries': owned.length + customerIds.length,
        'keys:data_keys': destroyedKeys,
      },
      tombstones: [topics.identitySnapshots],
    };
  }
}
