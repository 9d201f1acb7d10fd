import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { CustomerMergedDataV1 } from '@o2o/contracts';
import { LOGGER, Logger } from '@o2o/observability';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { emptyProfile, mergeProfiles } from '../../domain';
import { unionJournals } from '../event-journal';
import { NeedsProfileStore } from '../ports/needs-profile.store';
import { ProfileLimitsReporter } from '../profile-limits.reporter';
import { ProfilingMetrics } from '../profiling.metrics';
import { PublicationCandidate, PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';

export interface MergeCommand {
  eventId: string;
  correlationId?: string | undefined;
  data: CustomerMergedDataV1;
  trace: Context;
}

const MAX_ATTEMPTS = 5;

/**
 * Folds a merged-away customer's profile into the survivor's (domain `mergeProfiles`: newest
 * explicit fact wins, the rest kept as history, evidence united), unites their journals so a
 * later split can still tell their events apart, leaves a pointer in place of the merged profile
 * so its late events go to the survivor, publishes the survivor and a tombstone for the merged id.
 */
@Injectable()
export class FoldMergeHandler {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly publish: PublishProfilesHandler,
    private readonly metrics: ProfilingMetrics,
    private readonly limits: ProfileLimitsReporter,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(command: MergeCommand): Promise<void> {
    const { survivorId, mergedId } = command.data;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await this.profiles.loadResolving([survivorId, mergedId], true);
      const target = loaded.survivorOf(survivorId);
      const merged = loaded.docs.get(mergedId);
      if (target === mergedId) {
        this.logger.warn({ survivorId, mergedId }, 'merge would fold a customer into itself; ignored');
        return;
      }
      const survivor = loaded.docs.get(target);
      const publication = (version: number, profile = survivor?.profile): PublicationCandidate[] =>
        profile === undefined
          ? []
          : [
              {
                id: target,
                version,
                profile,
                published: survivor?.published,
                trace: command.trace,
                cause: 'merge',
                causationId: command.eventId,
                correlationId: command.correlationId,
              },
            ];

      if (merged?.mergedInto !== undefined) {
        // Already folded (a redelivery, or a crash after the fold): finish what may be left.
        await this.publish.execute(publication(survivor?.version ?? 0), merged.tombstonePending ? [mergedId] : []);
        if (merged.tombstonePending) await this.profiles.clearTombstonePending(mergedId);
        return;
      }

      let version = survivor?.version ?? 0;
      let profile = survivor?.profile;
      if (merged?.profile !== undefined) {
        const folded = mergeProfiles(survivor?.profile ?? emptyProfile(target), merged.profile, this.config.profiling);
        const conflicts = await this.profiles.save(
          [
            {
              id: target,
              expectedVersion: version,
              exists: survivor !== undefined,
              profile: folded.profile,
              journal: { replace: unionJournals(survivor?.journal ?? [], merged.journal ?? [], this.config.NEEDS_JOURNAL_LIMIT) },
            },
          ],
          this.config.NEEDS_JOURNAL_LIMIT,
        );
        if (conflicts.size > 0) {
          this.metrics.writeConflicts.inc({ operation: 'merge' });
          continue;
        }
        version += 1;
        profile = folded.profile;
        this.limits.report(target, folded.limits);
        for (const change of folded.changes) {
          if (change.type === 'stage-changed') this.metrics.transitions.inc({ to: change.transition.to, cause: 'merge' });
        }
      }
      const tombstone = merged?.published !== undefined;
      if (!(await this.profiles.markMerged(mergedId, target, merged?.version ?? 0, merged !== undefined, tombstone))) {
        // An event reached the merged profile after we read it: fold again (folding is idempotent).
        this.metrics.writeConflicts.inc({ operation: 'merge' });
        continue;
      }
      await this.publish.execute(publication(version, profile), tombstone ? [mergedId] : []);
      if (tombstone) await this.profiles.clearTombstonePending(mergedId);
      return;
    }
    throw new Error(`merge of ${mergedId} into ${survivorId} still contended after ${MAX_ATTEMPTS} attempts`);
  }
}
