import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { walkMerges } from '@o2o/contracts';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import { IdentifierIndexRepository } from '../../profiles/infrastructure/identifier-index.repository';
import { SharedIdentifierError } from '../../campaigns/domain/shared-identifier.error';
import { CustomerStates, DecisionSnapshots, type DecisionSnapshot } from '../../profiles/application/ports';
import type { CustomerSnapshots, VersionedSnapshot } from '../application/ports';

const IDENTIFIERS_CACHED = 100_000;

/**
 * Identifier -> customer, and customer -> snapshot, for the next-action path.
 *
 * Identifiers come from this service's own index, cached in process: identifiers rarely change
 * owner, and a stale entry at worst points at a merged-away id, which the mergedInto chain then
 * follows (an erased customer's id finds no snapshot: 404).
 *
 * Snapshots are held in process (bounded by the size of their JSON text) but never trusted on
 * their own: the caller reads the current version of every snapshot it used from Redis in the
 * same round trip as the contact counts, and drops and reloads any whose version moved (a
 * profile, consent or membership change, a merge or split, written by any instance) or whose
 * Redis copy is gone (erasure deletes it). Loads read Redis, then MongoDB on a miss.
 */
@Injectable()
export class CustomerLookup implements CustomerSnapshots {
  private readonly identifiers: LRUCache<string, string>;
  private readonly snapshots: LRUCache<string, VersionedSnapshot>;

  constructor(
    private readonly index: IdentifierIndexRepository,
    private readonly customers: CustomerStates,
    private readonly shared: DecisionSnapshots,
    @Inject(CAMPAIGN_CONFIG) config: CampaignCustomizationConfig,
  ) {
    this.identifiers = new LRUCache({ max: IDENTIFIERS_CACHED, ttl: Math.max(config.CACHE_TTL_MS, 30_000) });
    this.snapshots = new LRUCache({ maxSize: config.SNAPSHOT_CACHE_MAX_BYTES });
  }

  /** "customerId" is accepted as a type, so channels that already hold the id skip the index. */
  async resolve(type: string, rawValue: string): Promise<string | undefined> {
    const value = normalise(type, rawValue);
    if (type === 'customerId') return value;
    const key = `${type}:${value}`;
    const hit = this.identifiers.get(key);
    if (hit !== undefined) return hit;
    const found = await this.index.lookup({ type, value });
    // Shared by several customers: never guess (identity-resolution answers 409 alike); not cached, so it resolves once it is no longer shared.
    if (found.holders !== undefined && found.holders.length > 1) throw new SharedIdentifierError(type, found.holders);
    // The one holder is the customer (none: nobody holds it any more); entries written before holders were kept have only the owner.
    const customerId = found.holders !== undefined ? found.holders[0] : found.customerId;
    if (customerId !== undefined) this.identifiers.set(key, customerId);
    return customerId;
  }

  /**
   * The snapshots from the customer to the survivor of its merges (usually one), from this
   * process's memory where held. The last one is the customer to decide for. fromMongo skips
   * both caches (Redis could not be asked whether they are current).
   */
  async chain(customerId: string, fromMongo = false): Promise<VersionedSnapshot[] | undefined> {
    return walkMerges(
      customerId,
      async (id) => (fromMongo ? undefined : this.snapshots.get(id)) ?? (await this.load(id, fromMongo)),
      (entry) => entry.snapshot.mergedInto,
    );
  }

  /** Forgets snapshots found out of date. */
  forget(customerIds: readonly string[]): void {
    for (const id of customerIds) this.snapshots.delete(id);
  }

  private async load(customerId: string, fromMongo: boolean): Promise<VersionedSnapshot | undefined> {
    const held = fromMongo ? undefined : await this.shared.get(customerId).catch(() => undefined);
    if (held !== undefined) {
      const entry = { customerId, version: held.version, snapshot: JSON.parse(held.json) as DecisionSnapshot };
      this.snapshots.set(customerId, entry, { size: held.json.length });
      return entry;
    }
    const stored = await this.customers.findOne(customerId);
    if (stored === undefined) return undefined;
    const snapshot: DecisionSnapshot = { profile: stored.state.profile, memberships: stored.state.memberships };
    if (stored.state.mergedInto !== undefined) snapshot.mergedInto = stored.state.mergedInto;
    // Refilled for every instance; a newer version already held there wins, and the caller's
    // version check then reloads it.
    await this.shared.put([{ customerId, version: stored.version, snapshot }]).catch(() => undefined);
    const entry = { customerId, version: stored.version, snapshot };
    if (!fromMongo) this.snapshots.set(customerId, entry, { size: JSON.stringify(snapshot).length });
    return entry;
  }
}

/** The same normalisation identity resolution applies to the identifiers it publishes. */
function normalise(type: string, value: string): string {
  const trimmed = value.trim();
  return type === 'email' ? trimmed.toLowerCase() : trimmed;
}
