import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { EventResolvedV1, topics } from '@o2o/contracts';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { applyEvent, emptyProfile, NeedsProfile, ProfileChange, ProfileLimit } from '../../domain';
import { IdentifierHashes, journalEntryOf } from '../event-journal';
import { ProfileEventsPublisher } from '../ports/profile-events.publisher';
import { NeedsProfileStore, type JournalEntry, type ProfileWrite, type StoredNeedsProfile } from '../ports/needs-profile.store';
import { ProfileLimitsReporter } from '../profile-limits.reporter';
import { ProfilingMetrics } from '../profiling.metrics';
import { PublicationCandidate, PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';

export interface ResolvedMessage {
  event: EventResolvedV1;
  trace: Context;
}

/** Lost optimistic-concurrency races re-read and re-apply; a customer still contended after this many fails the batch (the transport retries it). */
const MAX_ATTEMPTS = 5;

interface Target {
  id: string;
  doc: StoredNeedsProfile | undefined;
  profile: NeedsProfile;
  changes: ProfileChange[];
  journal: JournalEntry[];
  /** Bounds of the profile that applied to its events. */
  limits: Set<ProfileLimit>;
  /** The message that last changed the profile (else the last one for it): its trace and ids go on the publication. */
  trigger: ResolvedMessage;
}

/**
 * Applies a batch of resolved events in a fixed number of round trips: one read of every touched
 * profile (and of the survivors of merged ids), every event applied in memory (several events of
 * a customer become one new state), one publication of the material changes, one chunked bulk
 * write of the changed profiles with their journal entries and what was published for them.
 *
 * Publishing comes first and the write records it: a crash in between re-reads the old state on
 * redelivery and republishes the same state under the same event id; a redelivery after success
 * finds the events applied and the publication recorded, and sends nothing. A write that lost a
 * race is re-read and re-applied, and its customer published again (superseding the state sent
 * for the lost write), or tombstoned again if it was merged away meanwhile.
 */
@Injectable()
export class ApplyEventsHandler {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly publish: PublishProfilesHandler,
    private readonly publisher: ProfileEventsPublisher,
    private readonly metrics: ProfilingMetrics,
    private readonly limits: ProfileLimitsReporter,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
  ) {}

  async execute(messages: readonly ResolvedMessage[]): Promise<void> {
    const publishedFor = new Set<string>();
    let pending = [...messages];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new Error(
          `profiles still contended after ${MAX_ATTEMPTS} attempts: ${[...new Set(pending.map((m) => m.event.data.customerId))].join(', ')}`,
        );
      const { targets, targetOf, docs } = await this.applyInMemory(pending);

      const candidates: PublicationCandidate[] = [];
      for (const target of targets.values()) {
        // A customer whose events taught nothing and who has no profile yet has nothing to publish.
        if (target.changes.length === 0 && target.doc?.profile === undefined) continue;
        candidates.push({
          id: target.id,
          version: (target.doc?.version ?? 0) + (target.changes.length > 0 ? 1 : 0),
          profile: target.profile,
          published: target.doc?.published,
          trace: target.trigger.trace,
          cause: 'event',
          causationId: target.trigger.event.id,
          correlationId: target.trigger.event.correlationid,
          force: publishedFor.has(target.id),
        });
      }
      const prepared = this.publish.prepare(await this.publish.withValues(candidates));
      const payloadOf = new Map(prepared.published.map((p) => [p.id, p.published]));
      // Customers published for in an earlier attempt and merged away since: their state must not outlive the merge.
      const tombstones = [...publishedFor]
        .filter((id) => docs.get(id)?.mergedInto !== undefined)
        .map((key) => ({ key, trace: pending[0]?.trace }));
      // Ids carry the profile version: a redo after a failed write does not send what Kafka has.
      await this.publisher.publish([{ topic: topics.needsProfiles, events: prepared.outgoing, tombstones }], { skipAcknowledged: true });
      this.publish.count(prepared.published);
      for (const p of prepared.published) publishedFor.add(p.id);

      const changed = [...targets.values()].filter((t) => t.changes.length > 0);
      const writes: ProfileWrite[] = changed.map((t) => ({
        id: t.id,
        expectedVersion: t.doc?.version ?? 0,
        exists: t.doc !== undefined,
        profile: t.profile,
        journal: { append: t.journal },
        published: payloadOf.get(t.id),
      }));
      const conflicts = await this.profiles.save(writes, this.config.NEEDS_JOURNAL_LIMIT);
      if (conflicts.size > 0) this.metrics.writeConflicts.inc({ operation: 'events' }, conflicts.size);
      // Unchanged profiles published now (an earlier crash between a write and its publication): record it.
      const written = new Set(changed.map((t) => t.id));
      await this.profiles.markPublished(prepared.published.filter((p) => !written.has(p.id)));
      for (const target of changed) {
        if (conflicts.has(target.id)) continue;
        this.limits.report(target.id, target.limits);
        for (const change of target.changes) {
          if (change.type === 'stage-changed') this.metrics.transitions.inc({ to: change.transition.to, cause: 'event' });
        }
      }
      pending = pending.filter((m) => conflicts.has(targetOf(m)));
    }
  }

  private async applyInMemory(messages: readonly ResolvedMessage[]) {
    const profiling = this.config.profiling;
    const loaded = await this.profiles.loadResolving(messages.map((m) => m.event.data.customerId));
    const targets = new Map<string, Target>();
    const targetOf = (m: ResolvedMessage) => loaded.survivorOf(m.event.data.customerId);
    const hashes = new IdentifierHashes();
    // Counted per reason for the batch, then added once each (prom-client hashes the labels on every increment).
    const skipped = new Map<string, number>();
    for (const message of messages) {
      const id = targetOf(message);
      let target = targets.get(id);
      if (!target) {
        const doc = loaded.docs.get(id);
        target = { id, doc, profile: doc?.profile ?? emptyProfile(id), changes: [], journal: [], limits: new Set(), trigger: message };
        targets.set(id, target);
      }
      // The merge links in this service's database are the authority on where an event belongs,
      // so the event is addressed to the survivor rather than relying on profile.mergedIds.
      const data = message.event.data;
      const result = applyEvent(target.profile, data.customerId === id ? data : { ...data, customerId: id }, profiling);
      for (const { reason } of result.skipped) skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      if (result.changes.length > 0) {
        for (const limit of result.limits) target.limits.add(limit);
        target.profile = result.profile;
        target.changes.push(...result.changes);
        target.journal.push(journalEntryOf(data, profiling.explicit.neverStore, hashes));
        target.trigger = message;
      } else if (target.changes.length === 0) {
        target.trigger = message;
      }
    }
    for (const [reason, n] of skipped) this.metrics.skipped.inc({ reason }, n);
    return { targets, targetOf, docs: loaded.docs };
  }
}
