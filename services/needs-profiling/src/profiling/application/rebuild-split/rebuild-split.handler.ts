import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { CustomerSplitDataV1 } from '@o2o/contracts';
import { LOGGER, Logger } from '@o2o/observability';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { applyEvent, emptyProfile, mergeProfiles, NeedsProfile } from '../../domain';
import { replayableEvent, unionJournals } from '../event-journal';
import { NeedsProfileStore, type JournalEntry, type ProfileWrite, type StoredNeedsProfile } from '../ports/needs-profile.store';
import { ProfilingMetrics } from '../profiling.metrics';
import { PublicationCandidate, PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';
import { assignToParts } from './split-assignment';

export interface SplitCommand {
  eventId: string;
  correlationId?: string | undefined;
  data: CustomerSplitDataV1;
  trace: Context;
}

const MAX_ATTEMPTS = 5;

/**
 * Rebuilds the profiles of a split customer. The domain folds events into joins and cannot take
 * one customer's share back out, so the service keeps a bounded journal of the events that
 * changed each profile (written in the same document update) and replays each part's events
 * into a fresh profile. Explicit facts learned from events older than the journal cannot be
 * attributed and stay with the part that keeps the customer id; older behavioural evidence is
 * lost to the rebuild (it decays anyway).
 */
@Injectable()
export class RebuildSplitHandler {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly publish: PublishProfilesHandler,
    private readonly metrics: ProfilingMetrics,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(command: SplitCommand): Promise<void> {
    const { customerId, parts } = command.data;
    const limit = this.config.NEEDS_JOURNAL_LIMIT;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const docs = await this.profiles.find([customerId, ...parts.map((p) => p.customerId)], true);
      const source = docs.get(customerId);
      if (source?.profile === undefined || source.mergedInto !== undefined) {
        this.logger.info({ customerId }, 'split of a customer without a needs profile of its own: nothing to rebuild');
        return;
      }
      if (source.appliedChanges?.includes(command.eventId)) {
        await this.publish.execute(parts.flatMap((p) => this.candidate(p.customerId, docs.get(p.customerId), command)));
        return;
      }

      const assigned = assignToParts(source.journal ?? [], parts);
      const partIds = new Set(parts.map((p) => p.customerId));
      const writes: ProfileWrite[] = [];
      let sourceWrite: ProfileWrite | undefined;
      for (const part of parts) {
        const entries = assigned.get(part.customerId) ?? [];
        const existing = docs.get(part.customerId);
        if (part.customerId === customerId) {
          // Merged ids that are not among the parts still point here and keep doing so.
          const base: NeedsProfile = { ...emptyProfile(customerId), mergedIds: source.profile.mergedIds.filter((id) => !partIds.has(id)) };
          const rebuilt = this.carryUnattributable(this.replay(base, entries), source.profile, source.journal ?? []);
          sourceWrite = {
            id: customerId,
            expectedVersion: source.version,
            exists: true,
            profile: rebuilt,
            journal: { replace: entries },
            appliedChange: command.eventId,
          };
        } else {
          const own =
            existing?.profile !== undefined && existing.mergedInto === undefined ? existing.profile : emptyProfile(part.customerId);
          writes.push({
            id: part.customerId,
            expectedVersion: existing?.version ?? 0,
            exists: existing !== undefined,
            profile: this.replay(own, entries),
            journal: { replace: unionJournals(existing?.mergedInto === undefined ? (existing?.journal ?? []) : [], entries, limit) },
            revive: true,
          });
        }
      }
      // The other parts first: the split is recorded as applied on the source only once they are
      // stored, so a crash or a lost race in between replays it (replaying is idempotent).
      if (
        (await this.profiles.save(writes, limit)).size > 0 ||
        (sourceWrite && (await this.profiles.save([sourceWrite], limit)).size > 0)
      ) {
        this.metrics.writeConflicts.inc({ operation: 'split' });
        continue;
      }
      const written = [...writes, ...(sourceWrite ? [sourceWrite] : [])];
      await this.publish.execute(
        written.map((w) => ({
          id: w.id,
          version: w.expectedVersion + 1,
          profile: w.profile,
          published: docs.get(w.id)?.mergedInto === undefined ? docs.get(w.id)?.published : undefined,
          trace: command.trace,
          cause: 'split',
          causationId: command.eventId,
          correlationId: command.correlationId,
        })),
      );
      return;
    }
    throw new Error(`split of ${customerId} still contended after ${MAX_ATTEMPTS} attempts`);
  }

  private replay(base: NeedsProfile, entries: readonly JournalEntry[]): NeedsProfile {
    let profile = base;
    for (const entry of entries) profile = applyEvent(profile, replayableEvent(entry, profile.customerId), this.config.profiling).profile;
    return profile;
  }

  /** Explicit facts whose teaching event fell out of the journal: kept where the customer id stays. */
  private carryUnattributable(rebuilt: NeedsProfile, before: NeedsProfile, journal: readonly JournalEntry[]): NeedsProfile {
    const journaled = new Set(journal.map((e) => e.id));
    const facts = before.facts.filter((f) => f.kind === 'explicit' && !journaled.has(f.sourceEventId));
    const history = before.factHistory.filter((f) => !journaled.has(f.sourceEventId));
    if (facts.length === 0 && history.length === 0) return rebuilt;
    const carried: NeedsProfile = { ...emptyProfile(rebuilt.customerId), facts, factHistory: history };
    return mergeProfiles(rebuilt, carried, this.config.profiling).profile;
  }

  private candidate(id: string, doc: StoredNeedsProfile | undefined, command: SplitCommand): PublicationCandidate[] {
    if (doc?.profile === undefined || doc.mergedInto !== undefined) return [];
    return [
      {
        id,
        version: doc.version,
        profile: doc.profile,
        published: doc.published,
        trace: command.trace,
        cause: 'split',
        causationId: command.eventId,
        correlationId: command.correlationId,
      },
    ];
  }
}
