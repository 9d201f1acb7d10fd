import { Inject, Injectable } from '@nestjs/common';
import { TopicDefinition, topics } from '@o2o/contracts';
import { PrivacyParticipant } from '@o2o/runtime';
import { LookupCache } from '../../../resolution/application/ports/lookup-cache.port';
import { pseudonym } from '../../domain/pseudonym';
import { PRIVACY_SETTINGS, PrivacySettings } from '../../privacy.tokens';
import { ErasedIdentifiers } from '../ports/privacy-records.port';
import { DataKeys, ErasableGraph } from './identity-erasure.ports';

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
    private readonly graph: ErasableGraph,
    private readonly cache: LookupCache,
    private readonly erased: ErasedIdentifiers,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    private readonly dataKeys: DataKeys,
  ) {}

  exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    return this.graph.exportData(customerIds);
  }

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const owned = await this.graph.identifiersOwnedBy(customerIds);
    // Which erasure it was, without naming the customer.
    const requestId = pseudonym(this.settings.pseudonymKey, customerIds[0] ?? '');
    await this.erased.markErased(
      owned.map((i) => pseudonym(this.settings.pseudonymKey, `${i.type}:${i.value}`)),
      requestId,
    );
    // Crypto-shredding: whatever the topics still hold under these keys (ingest.*, identity.*,
    // dead letters) can never be read again. Before the identifiers go: they name the routing keys.
    const destroyedKeys = await this.dataKeys.destroy(dataKeySubjects(customerIds, owned));
    const deleted = await this.graph.erase(
      customerIds,
      owned.map((i) => i._id),
    );
    await this.cache.forgetIdentifiers(owned.map((i) => ({ type: i.type, value: i.value })));
    await this.cache.store(new Map(), customerIds);
    return {
      deleted: {
        'mongo:identifiers': deleted.identifiers,
        'mongo:customers': deleted.customers,
        'mongo:trait_records': deleted.traitRecords,
        'mongo:review_queue': deleted.reviews,
        'redis:lookup_entries': owned.length + customerIds.length,
        'keys:data_keys': destroyedKeys,
      },
      tombstones: [topics.identitySnapshots],
    };
  }
}
