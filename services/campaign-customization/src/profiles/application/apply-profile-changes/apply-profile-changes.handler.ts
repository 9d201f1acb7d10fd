import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { topics, type MembershipChangedDataV1 } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, type Logger } from '@o2o/observability';
import type { CustomerProfile } from '../../../segments/domain/customer-profile';
import { readProperty } from '../../../segments/domain/event-counter';
import { diffMemberships, mergeMemberships, type MembershipCause } from '../../../segments/domain/membership.diff';
import { applyConsent, applyIdentitySnapshot, applyNeedsProfiled, applyResolvedEvent, applyValueScored, mergeProfiles } from '../../../segments/domain/profile.projection';
import { trackedProperties, type SegmentDefinition } from '../../../segments/domain/segment-definition';
import type { CampaignDefinition } from '../../../campaigns/domain/campaign-definition';
import { CampaignCatalog } from '../../../campaigns/infrastructure/campaign.catalog';
import { SerialGate } from '../../../shared/infrastructure/chunked-bulk-write';
import { SegmentRepository } from '../../../segments/infrastructure/segment.repository';
import {
  appendMembershipChanges,
  emptyState,
  exposeToCampaign,
  hasApplied,
  markApplied,
  mergeAttribution,
  recordGoal,
  type CustomerState,
} from '../../domain/customer-state';
import { CustomerStateRepository, type StoredState } from '../../infrastructure/customer-state.repository';
import { DecisionSnapshotCache, type DecisionSnapshot } from '../../infrastructure/decision-snapshot.cache';
import type { ProfileChange } from './profile-change';

const SOURCE = '/services/campaign-customization';
/** Optimistic-concurrency rounds before the batch fails (and the transport retries it). */
const MAX_ROUNDS = 8;
/** mergedInto hops followed when routing an event of a merged-away id. */
const MAX_MERGE_HOPS = 5;
const DEFAULT_WINDOW_DAYS = 30;

interface Working extends StoredState {
  dirty: boolean;
  /** Memberships must be recomputed before writing, for this reason. */
  recompute: MembershipCause | undefined;
  trace: Context | undefined;
}

export interface ApplyResult {
  written: number;
  published: number;
  rounds: number;
}

/**
 * The combined projection's one write path, used by every consumer, the back-fill and the
 * outbox sweep: read all customers of the batch at once, apply in memory, recompute
 * memberships, write every changed customer in one bulk write conditional on its version, then
 * publish all outboxes in one sendBatch and clear them. A lost race re-reads and redoes the
 * whole batch; applied-event ids make the redo skip what did land.
 */
@Injectable()
export class ApplyProfileChangesHandler {
  constructor(
    private readonly customers: CustomerStateRepository,
    private readonly segments: SegmentRepository,
    private readonly campaigns: CampaignCatalog,
    private readonly publisher: KafkaPublisher,
    private readonly snapshots: DecisionSnapshotCache,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Batches of different topics (and back-fill pages) share customers; run one at a time in
   * this process so they never make each other redo. Other instances are still handled by the
   * conditional writes.
   */
  private readonly gate = new SerialGate();

  execute(changes: readonly ProfileChange[]): Promise<ApplyResult> {
    return this.gate.run(() => this.applyBatch(changes));
  }

  private async applyBatch(changes: readonly ProfileChange[]): Promise<ApplyResult> {
    if (changes.length === 0) return { written: 0, published: 0, rounds: 0 };
    const ids = new Set<string>();
    for (const change of changes) {
      ids.add(change.customerId);
      if (change.kind === 'merged') ids.add(change.mergedId);
      if (change.kind === 'split') for (const part of change.parts) ids.add(part.customerId);
    }
    for (let round = 1; ; round++) {
      const started = Date.now();
      const [segments, campaigns] = await Promise.all([this.segments.active(), this.campaigns.all()]);
      const working = await this.load([...ids]);
      const loaded = Date.now();
      const now = new Date();
      const context = new BatchContext(working, segments, campaigns, now);
      for (const change of changes) context.apply(change);
      context.recomputeMemberships();
      const dirty = [...working.values()].filter((w) => w.dirty);
      const matched = await this.customers.write(dirty);
      const wrote = Date.now();
      if (matched === dirty.length) {
        await this.refreshSnapshots(dirty);
        const published = await this.publishOutboxes(working, dirty);
        const timings = { readMs: loaded - started, writeMs: wrote - loaded, publishMs: Date.now() - wrote };
        this.logger.debug({ changes: changes.length, customers: working.size, written: dirty.length, published, round, ...timings }, 'batch applied');
        return { written: dirty.length, published, rounds: round };
      }
      this.logger.debug({ round, written: dirty.length, matched }, 'customers changed concurrently; redoing the batch');
      if (round >= MAX_ROUNDS) throw new Error(`customers kept changing concurrently after ${MAX_ROUNDS} rounds`);
    }
  }

  /** Reads the batch's customers and, for merged-away ids, the customers they went to. */
  private async load(ids: string[]): Promise<Map<string, Working>> {
    const working = new Map<string, Working>();
    let wanted = ids;
    for (let hop = 0; hop <= MAX_MERGE_HOPS && wanted.length > 0; hop++) {
      const found = await this.customers.find(wanted);
      const next: string[] = [];
      for (const id of wanted) {
        const stored = found.get(id) ?? { state: emptyState(id), version: 0, exists: false };
        working.set(id, { ...stored, dirty: false, recompute: undefined, trace: undefined });
        const target = stored.state.mergedInto;
        if (target !== undefined && !working.has(target)) next.push(target);
      }
      wanted = [...new Set(next)];
    }
    return working;
  }

  /** A Redis failure here only costs the next-action path a MongoDB read; it must not fail the batch. */
  private async refreshSnapshots(written: readonly Working[]): Promise<void> {
    const entries = written.map((w) => {
      const snapshot: DecisionSnapshot = { profile: w.state.profile, memberships: w.state.memberships };
      if (w.state.mergedInto !== undefined) snapshot.mergedInto = w.state.mergedInto;
      return { customerId: w.state.customerId, version: w.version + 1, snapshot };
    });
    await this.snapshots.put(entries).catch((error: unknown) => this.logger.warn({ err: error }, 'decision snapshots not refreshed'));
  }

  private async publishOutboxes(working: Map<string, Working>, written: readonly Working[]): Promise<number> {
    const writtenIds = new Set(written.map((w) => w.state.customerId));
    const events: OutgoingEvent[] = [];
    const cleared: Array<{ customerId: string; version: number }> = [];
    for (const w of working.values()) {
      if (w.state.outbox.length === 0) continue;
      const customerId = w.state.customerId;
      for (const entry of [...w.state.outbox].sort((a, b) => a.sequence - b.sequence)) {
        const data: MembershipChangedDataV1 = {
          customerId,
          segmentId: entry.segmentId,
          segmentVersion: entry.segmentVersion,
          change: entry.change,
          reason: entry.reason,
          changedAt: entry.changedAt,
          sequence: entry.sequence,
        };
        events.push({
          key: customerId,
          trace: w.trace,
          event: createEnvelope({
            // Deterministic: a re-publication after a crash or a lost clear carries the same id.
            id: `membership:${customerId}:${entry.sequence}`,
            type: 'segment.membership-changed',
            version: 1,
            source: SOURCE,
            subject: customerId,
            time: entry.changedAt,
            data,
          }),
        });
      }
      cleared.push({ customerId, version: writtenIds.has(customerId) ? w.version + 1 : w.version });
    }
    if (events.length === 0) return 0;
    await this.publisher.publish([{ topic: topics.segmentMembership, events }]);
    await this.customers.clearOutboxes(cleared);
    return events.length;
  }
}

/** One round of applying a batch to the customers read for it. */
class BatchContext {
  private readonly tracked;
  private readonly campaignsById: Map<string, CampaignDefinition>;

  constructor(
    private readonly working: Map<string, Working>,
    private readonly segments: readonly SegmentDefinition[],
    private readonly campaigns: readonly CampaignDefinition[],
    private readonly now: Date,
  ) {
    this.tracked = trackedProperties(segments.map((s) => s.rule));
    this.campaignsById = new Map(campaigns.map((c) => [c.id, c]));
  }

  apply(change: ProfileChange): void {
    switch (change.kind) {
      case 'event':
        return this.applyEvent(change);
      case 'value': {
        const data = change.data;
        return this.applyState(change, data === null, (profile) => {
          if (data !== null) return applyValueScored(profile, data);
          const { value: _erased, ...rest } = profile;
          return rest;
        });
      }
      case 'needs': {
        const data = change.data;
        return this.applyState(change, data === null, (profile) => {
          if (data !== null) return applyNeedsProfiled(profile, data);
          const { needs: _erased, ...rest } = profile;
          return rest;
        });
      }
      case 'identity': {
        const data = change.data;
        // Erasure of identity takes the identify traits too: they are the same personal data.
        return this.applyState(change, data === null, (profile) =>
          data === null ? { ...profile, identity: { identifiers: [], mergedIds: [], traits: {} } } : applyIdentitySnapshot(profile, data),
        );
      }
      case 'merged':
        return this.applyMerge(change.customerId, change.mergedId, change.eventId, change.trace);
      case 'split':
        return this.applySplit(change.customerId, change.parts, change.eventId, change.trace);
      case 'decision':
        return this.applyDecision(change.customerId, change.campaignId, change.group, change.at, change.eventId, change.trace);
      case 'reevaluate': {
        const w = this.get(change.customerId);
        if (w.exists && w.state.mergedInto === undefined) w.recompute ??= { kind: 'segment-change' };
        return;
      }
      case 'flush':
        return;
    }
  }

  /** Memberships of every customer whose profile changed, one diff per customer per batch. */
  recomputeMemberships(): void {
    for (const w of this.working.values()) {
      if (w.recompute === undefined || w.state.mergedInto !== undefined) continue;
      const diff = diffMemberships(w.state.memberships, this.segments, w.state.profile, this.now, w.recompute);
      if (diff.changes.length > 0) {
        w.state = appendMembershipChanges(w.state, diff);
        w.dirty = true;
      }
      w.recompute = undefined;
    }
  }

  private applyEvent(change: Extract<ProfileChange, { kind: 'event' }>): void {
    const w = this.route(change.customerId);
    if (hasApplied(w.state, change.eventId)) return;
    const before = w.state;
    let profile = applyResolvedEvent(before.profile, change.data, this.tracked, this.now);
    if (change.consent !== undefined) profile = applyConsent(profile, change.consent);
    // An event that changes nothing (a page view, the same traits again) is not worth a write.
    const profileChanged = profile !== before.profile && JSON.stringify(profile) !== JSON.stringify(before.profile);
    let state: CustomerState = profileChanged ? { ...before, profile } : before;
    if (change.data.eventType === 'track' && change.data.event !== undefined) {
      for (const campaign of this.campaigns) {
        const goal = campaign.goal;
        if (goal.event !== change.data.event) continue;
        if (goal.where !== undefined && readProperty(change.data.properties, goal.where.property) !== goal.where.value) continue;
        state = recordGoal(state, campaign.id, change.data.timestamp, campaign.attributionWindowDays);
      }
    }
    if (state === before) return;
    const cause: MembershipCause | undefined = !profileChanged ? undefined : change.consent !== undefined ? { kind: 'consent-change' } : { kind: 'profile-change' };
    this.update(w, markApplied(state, [change.eventId]), change.trace, cause);
  }

  /** State topics: a merged-away id's own state is history, so it is not routed to the survivor. */
  private applyState(change: { customerId: string; eventId: string; trace?: Context | undefined }, erasure: boolean, fold: (profile: CustomerProfile) => CustomerProfile): void {
    const w = this.get(change.customerId);
    if (w.state.mergedInto !== undefined || hasApplied(w.state, change.eventId)) return;
    // Erasing what was never held would only create an empty customer.
    if (erasure && !w.exists && !w.dirty) return;
    this.update(w, markApplied({ ...w.state, profile: fold(w.state.profile) }, [change.eventId]), change.trace, { kind: 'profile-change' });
  }

  /**
   * Folds the merged customer into the survivor: profile, experiment standing and applied
   * event ids (so the merged id's redelivered events are not counted twice). The survivor's
   * memberships are recomputed on the folded profile; the merged id exits everything. Guarded
   * by the survivor's applied ids, so a half-written earlier round is completed, not repeated.
   */
  private applyMerge(survivorId: string, mergedId: string, eventId: string, trace: Context | undefined): void {
    if (survivorId === mergedId) return;
    const survivor = this.route(survivorId);
    const merged = this.get(mergedId);
    if (survivor === merged || hasApplied(survivor.state, eventId)) return;
    const s = survivor.state;
    const m = merged.state;
    const profile = mergeProfiles(s.profile, m.profile);
    const diff = mergeMemberships({
      survivorPrevious: s.memberships,
      mergedPrevious: m.memberships,
      mergedId,
      survivorId: s.customerId,
      survivorProfile: profile,
      segments: this.segments,
      now: this.now,
    });
    let next: CustomerState = {
      ...s,
      profile,
      attribution: mergeAttribution(s.attribution, m.attribution, (id) => this.windowDays(id)),
      pendingGoals: [...s.pendingGoals, ...m.pendingGoals].slice(-50),
      appliedEvents: [...new Set([...m.appliedEvents, ...s.appliedEvents])],
    };
    next = markApplied(appendMembershipChanges(next, diff.survivor), [eventId]);
    this.update(survivor, next, trace, undefined);
    if (m.mergedInto === undefined) {
      this.update(merged, { ...appendMembershipChanges(m, diff.merged), mergedInto: s.customerId }, trace, undefined);
    }
  }

  /**
   * A wrong merge undone. The platform keeps no raw event log, so counters and consent cannot
   * be divided: the first part keeps them; a part that was merged into this customer gets its
   * own profile back as it was at the merge. Identifiers follow the split, and value and needs
   * scoring publish each part's recomputed state, which corrects the rest.
   */
  private applySplit(customerId: string, parts: ReadonlyArray<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>, eventId: string, trace: Context | undefined): void {
    const original = this.get(customerId);
    if (hasApplied(original.state, eventId)) return;
    const others = new Set(parts.filter((p) => p.customerId !== customerId).map((p) => p.customerId));
    for (const part of parts) {
      const w = this.get(part.customerId);
      const state = w.state;
      const identity = {
        ...state.profile.identity,
        identifiers: part.identifiers.map((i) => ({ ...i })),
        mergedIds: state.profile.identity.mergedIds.filter((id) => !others.has(id) && id !== customerId),
      };
      let next: CustomerState = { ...state, profile: { ...state.profile, identity } };
      if (part.customerId !== customerId && next.mergedInto === customerId) {
        const { mergedInto: _revived, ...rest } = next;
        next = rest;
      }
      this.update(w, markApplied(next, [eventId]), trace, { kind: 'split', fromCustomerId: customerId });
    }
  }

  private applyDecision(customerId: string, campaignId: string, group: 'treated' | 'control', at: string, eventId: string, trace: Context | undefined): void {
    const w = this.route(customerId);
    if (hasApplied(w.state, eventId)) return;
    const next = exposeToCampaign(w.state, campaignId, group, at, this.windowDays(campaignId));
    // Only the first exposure counts, so repeat contacts change nothing and need no write.
    if (next === w.state) return;
    this.update(w, markApplied(next, [eventId]), trace, undefined);
  }

  private update(w: Working, state: CustomerState, trace: Context | undefined, recompute: MembershipCause | undefined): void {
    w.state = state;
    w.dirty = true;
    w.trace ??= trace;
    // A merge or split cause names what happened; keep it over a later plain profile change.
    if (recompute !== undefined && (w.recompute === undefined || w.recompute.kind === 'profile-change' || w.recompute.kind === 'segment-change')) {
      w.recompute = recompute;
    }
  }

  private get(customerId: string): Working {
    let w = this.working.get(customerId);
    if (w === undefined) {
      w = { state: emptyState(customerId), version: 0, exists: false, dirty: false, recompute: undefined, trace: undefined };
      this.working.set(customerId, w);
    }
    return w;
  }

  /** Where an event of this id belongs now: the end of its mergedInto chain. */
  private route(customerId: string): Working {
    let w = this.get(customerId);
    for (let hop = 0; hop < MAX_MERGE_HOPS && w.state.mergedInto !== undefined; hop++) w = this.get(w.state.mergedInto);
    return w;
  }

  private windowDays(campaignId: string): number {
    return this.campaignsById.get(campaignId)?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  }
}
