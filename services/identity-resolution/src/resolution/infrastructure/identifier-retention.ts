import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ONE_REPLY } from '@o2o/mongo';
import { InjectLogger, Logger, PlatformMetrics } from '@o2o/observability';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IdentityCollections } from './identity-graph.collections';
import { IdentityLookupCache } from './identity-lookup.cache';

/** Which identifiers of a group to retire: all but the `kept` first seen most recently (ties: the larger _id is newer). */
export function beyondKept<T extends { _id: string; firstSeenAt: Date }>(identifiers: readonly T[], kept: number): T[] {
  const newestFirst = [...identifiers].sort(
    (a, b) => b.firstSeenAt.getTime() - a.firstSeenAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0),
  );
  return newestFirst.slice(kept);
}

function retiredOf(docs: ReadonlyArray<{ _id: string; value: string }>): { ids: string[]; values: string[] } {
  return { ids: docs.map((d) => d._id), values: docs.map((d) => d.value) };
}

/**
 * Bounded customers: per identifier type (IDENTIFIERS_KEPT, anonymousId=100 by default) a
 * customer keeps the identifiers first seen most recently; older ones are marked `retired`.
 * A retired identifier still resolves to its customer (its document stays, so a returning device
 * is recognised and an erasure still finds it), but it is left out of the customer's snapshot,
 * lookup answer and the identifier lists each batch reads, which are therefore bounded.
 * Idempotent (a replay retires the same documents), and two instances converge on the same set.
 */
@Injectable()
export class IdentifierRetention {
  private readonly kept: ReadonlyMap<string, number>;
  private readonly retired: Counter<'type'>;

  constructor(
    private readonly db: IdentityCollections,
    private readonly cache: IdentityLookupCache,
    @Inject(IDENTITY_CONFIG) config: Pick<IdentityResolutionConfig, 'IDENTIFIERS_KEPT'>,
    metrics: PlatformMetrics,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.kept = config.IDENTIFIERS_KEPT;
    this.retired = new Counter({
      name: 'o2o_identity_identifiers_retired_total',
      help: 'Identifiers retired because their customer held more of their type than IDENTIFIERS_KEPT allows, by type.',
      labelNames: ['type'],
      registers: [metrics.registry],
    });
  }

  /** Whether identifiers of this type are bounded per customer. */
  bounds(type: string): boolean {
    return this.kept.has(type);
  }

  /** Whether identifiers of bounded types, all a customer holds, are more than its kept count of some type. */
  exceeds(identifiers: ReadonlyArray<{ type: string }>): boolean {
    const counts = new Map<string, number>();
    for (const { type } of identifiers) counts.set(type, (counts.get(type) ?? 0) + 1);
    return [...counts].some(([type, count]) => count > (this.kept.get(type) ?? Infinity));
  }

  /** Retires, for each customer, what exceeds its kept count per bounded type. One read, at most one write. */
  async apply(customerIds: readonly string[]): Promise<void> {
    if (this.kept.size === 0 || customerIds.length === 0) return;
    const docs = await this.db.identifiers
      .find(
        { customerId: { $in: [...new Set(customerIds)] }, type: { $in: [...this.kept.keys()] }, retired: { $ne: true } },
        { projection: { type: 1, value: 1, customerId: 1, firstSeenAt: 1 }, ...ONE_REPLY },
      )
      .toArray();
    const groups = new Map<string, typeof docs>();
    for (const d of docs) {
      const key = `${d.customerId} ${d.type}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const applied: Array<{ customerId: string; type: string; kept: number; ids: string[]; values: string[] }> = [];
    for (const group of groups.values()) {
      const first = group[0];
      const kept = first ? this.kept.get(first.type) : undefined;
      if (!first || kept === undefined || group.length <= kept) continue;
      applied.push({ customerId: first.customerId, type: first.type, kept, ...retiredOf(beyondKept(group, kept)) });
    }
    if (applied.length === 0) return;
    await this.db.identifiers.updateMany({ _id: { $in: applied.flatMap((a) => a.ids) } }, { $set: { retired: true } });
    // Their cached lookup answers list the customer's old identifiers: dropped, so a lookup by a
    // retired identifier reads MongoDB (and finds the customer with its kept identifiers).
    await this.cache.forgetIdentifiers(applied.flatMap((a) => a.values.map((value) => ({ type: a.type, value }))));
    for (const a of applied) {
      this.retired.inc({ type: a.type }, a.ids.length);
      this.logger.info(
        { customerId: a.customerId, identifierType: a.type, kept: a.kept, retired: a.ids.length },
        'identifier limit applied: the oldest identifiers of this type were retired',
      );
    }
  }
}
