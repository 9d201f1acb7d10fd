import { Inject, Injectable } from '@nestjs/common';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import { IdentifierIndexRepository } from '../../profiles/infrastructure/identifier-index.repository';
import { CustomerStateRepository } from '../../profiles/infrastructure/customer-state.repository';
import { DecisionSnapshotCache, type DecisionSnapshot } from '../../profiles/infrastructure/decision-snapshot.cache';

const CACHE_LIMIT = 100_000;
const MERGE_HOPS = 5;

/**
 * Identifier -> customer for the next-action path, from this service's own index, with an
 * in-process cache: identifiers rarely change owner, and a stale entry at worst points at a
 * merged-away id, which the mergedInto chain then follows.
 */
@Injectable()
export class CustomerLookup {
  private readonly cache = new Map<string, { customerId: string; at: number }>();

  constructor(
    private readonly identifiers: IdentifierIndexRepository,
    private readonly customers: CustomerStateRepository,
    private readonly snapshots: DecisionSnapshotCache,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  /** "customerId" is accepted as a type, so channels that already hold the id skip the index. */
  async resolve(type: string, rawValue: string): Promise<string | undefined> {
    const value = normalise(type, rawValue);
    if (type === 'customerId') return value;
    const key = `${type}:${value}`;
    const hit = this.cache.get(key);
    const ttl = Math.max(this.config.CACHE_TTL_MS, 30_000);
    if (hit !== undefined && Date.now() - hit.at < ttl) return hit.customerId;
    const customerId = await this.identifiers.lookup({ type, value });
    if (customerId !== undefined) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, { customerId, at: Date.now() });
    }
    return customerId;
  }

  /** The customer's profile and memberships, following merges to the survivor: Redis first, MongoDB on a miss. */
  async state(customerId: string): Promise<DecisionSnapshot | undefined> {
    let id = customerId;
    for (let hop = 0; hop <= MERGE_HOPS; hop++) {
      const snapshot = await this.snapshot(id);
      if (snapshot === undefined) return undefined;
      if (snapshot.mergedInto === undefined) return snapshot;
      id = snapshot.mergedInto;
    }
    return undefined;
  }

  private async snapshot(customerId: string): Promise<DecisionSnapshot | undefined> {
    const cached = await this.snapshots.get(customerId).catch(() => undefined);
    if (cached !== undefined) return cached;
    const stored = await this.customers.findOne(customerId);
    if (stored === undefined) return undefined;
    const snapshot: DecisionSnapshot = { profile: stored.state.profile, memberships: stored.state.memberships };
    if (stored.state.mergedInto !== undefined) snapshot.mergedInto = stored.state.mergedInto;
    await this.snapshots.put([{ customerId, version: stored.version, snapshot }]).catch(() => undefined);
    return snapshot;
  }
}

/** The same normalisation identity resolution applies to the identifiers it publishes. */
function normalise(type: string, value: string): string {
  const trimmed = value.trim();
  return type === 'email' ? trimmed.toLowerCase() : trimmed;
}
