import { Inject, Injectable } from '@nestjs/common';
import type { IdentityResolutionConfig } from '../../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../../identity.tokens';
import { customerIdFor, legacyCustomerIdFor, PlannedMerge } from '../../domain/identity-graph.model';
import { IdentityEvents } from '../ports/identity-events.port';
import { MigrationGraph } from './migrate-customer-ids.ports';

/** The link rule of a rename: splits never undo it (the old and new id are one customer). */
export const KEYED_ID_MIGRATION_RULE = 'migration:keyed-id';

export interface MigrateCustomerIdsCommand {
  /** Resume after this customer id (the previous answer's next). */
  readonly after?: string;
  readonly limit: number;
}

export interface MigrateCustomerIdsResult {
  /** Standing customers looked at. */
  readonly examined: number;
  /** Renamed from their unkeyed id to the keyed one. */
  readonly renamed: number;
  /** Renames of an earlier, interrupted run published now. */
  readonly republished: number;
  /** Where the next call resumes; absent when every customer has been looked at. */
  readonly next?: string;
}

/**
 * Moves customers named by the unkeyed hash of their first identifier (before ids were keyed) to
 * the keyed id the same identifier gives now. Each rename is published as a merge of the old id
 * into the new one: every service already folds a merged customer into its survivor and maps
 * later events still carrying the old id to it, so nothing downstream needs a migration of its
 * own, and messages on the topics that carry the old id stay meaningful. Page by page, resumable,
 * safe to run twice (a renamed id is merged and no longer looked at) and beside live traffic.
 */
@Injectable()
export class MigrateCustomerIdsHandler {
  constructor(
    private readonly graph: MigrationGraph,
    private readonly publisher: IdentityEvents,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {}

  async execute(command: MigrateCustomerIdsCommand): Promise<MigrateCustomerIdsResult> {
    const pending = await this.graph.unannouncedMergesBy(KEYED_ID_MIGRATION_RULE);
    if (pending.length > 0) {
      await this.publisher.publish({ merges: pending });
      await this.graph.markAnnounced(pending.map((m) => m.mergedId));
    }
    const page = await this.graph.standingCustomers(command.after ?? '', command.limit);
    const identifiers = await this.graph.identifiersOfCustomers(page.map((c) => c._id));
    const merges: PlannedMerge[] = [];
    const at = new Date().toISOString();
    for (const customer of page) {
      // Named after one of its identifiers by the unkeyed hash: the identifier it was created by.
      const origin = identifiers.find((i) => i.customerId === customer._id && i.unique && legacyCustomerIdFor(i) === customer._id);
      if (origin === undefined) continue;
      const newId = customerIdFor(origin, this.config.PRIVACY_PSEUDONYM_KEY);
      const merge: PlannedMerge = {
        survivorId: newId,
        mergedId: customer._id,
        reason: 'customer id migration: ids are keyed hashes now',
        evidence: [],
        link: { rule: KEYED_ID_MIGRATION_RULE, eventId: `migration:${customer._id}`, at },
        members: [],
        separatedFrom: [],
      };
      await this.graph.renameCustomer(customer, merge);
      merges.push(merge);
    }
    if (merges.length > 0) {
      await this.publisher.publish({ merges });
      await this.graph.markAnnounced(merges.map((m) => m.mergedId));
    }
    const last = page[page.length - 1];
    return {
      examined: page.length,
      renamed: merges.length,
      republished: pending.length,
      ...(page.length === command.limit && last ? { next: last._id } : {}),
    };
  }
}
