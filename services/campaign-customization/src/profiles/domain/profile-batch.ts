import { isDeepStrictEqual } from 'node:util';
import { followMerges } from '@o2o/contracts';
import type { CampaignDefinition } from '../../campaigns/domain/campaign-definition';
import { diffMemberships, mergeMemberships, type MembershipCause } from '../../segments/domain/membership.diff';
import { trackedProperties, type SegmentDefinition } from '../../segments/domain/segment-definition';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import { readProperty } from '../../shared-kernel/domain/event-counter';
import {
  applyConsent,
  applyIdentitySnapshot,
  applyNeedsProfiled,
  applyResolvedEvent,
  applyValueScored,
  mergeProfiles,
  type ProfileLimits,
} from '../../shared-kernel/domain/profile.projection';
import {
  appendMembershipChanges,
  emptyState,
  exposeToCampaign,
  hasApplied,
  markApplied,
  mergeAttribution,
  recordCampaignActivity,
  recordGoal,
  type ChangeCause,
  type CustomerState,
} from './customer-state';
import type { ProfileChange } from './profile-change';

/** Attribution window of a campaign no longer defined. */
const DEFAULT_WINDOW_DAYS = 30;

/** A customer as read for the batch: its state, the version read and whether a document exists. */
export interface LoadedCustomer {
  state: CustomerState;
  /** Version read; the write is conditional on it. 0 with exists false: no document yet. */
  version: number;
  exists: boolean;
}

/** A customer while a batch is applied to it. */
export interface BatchCustomer<Trace = unknown> extends LoadedCustomer {
  dirty: boolean;
  /** Memberships must be recomputed before writing, for this reason. */
  recompute: MembershipCause | undefined;
  trace: Trace | undefined;
  /** An input was skipped as already applied: a redelivery, which also repairs the Redis snapshot. */
  replayed: boolean;
  /** The first input of the batch that changed this customer: the cause its membership changes carry. */
  cause: ChangeCause | undefined;
}

export function batchCustomer<Trace = unknown>(loaded: LoadedCustomer): BatchCustomer<Trace> {
  return { ...loaded, dirty: false, recompute: undefined, trace: undefined, replayed: false, cause: undefined };
}

/** The key of one customer's exposure to one campaign. */
export function exposureKey(customerId: string, campaignId: string): string {
  return `${customerId} ${campaignId}`;
}

/** The input a change came from. */
type Origin<Trace> = Pick<Exclude<ProfileChange<Trace>, { kind: 'reevaluate' | 'flush' }>, 'eventId' | 'correlationId' | 'trace'>;

/** Tombstones carry no envelope: their position-based id is no event id to cite as a cause. */
function causeOf(origin: Origin<unknown>): ChangeCause | undefined {
  if (origin.eventId.startsWith('tombstone:')) return undefined;
  return origin.correlationId === undefined
    ? { eventId: origin.eventId }
    : { eventId: origin.eventId, correlationId: origin.correlationId };
}

/**
 * One round of applying a batch of profile changes to the customers read for it, in memory:
 * events, state topics, merges, splits and campaign decisions, then one membership diff per
 * changed customer. Routes what arrives for a merged-away id to its survivor and skips inputs
 * a customer has already applied (marking it replayed). Holds no I/O: the handler loads the
 * customers, runs this, and writes the dirty ones.
 */
export class ProfileBatch<Trace = unknown> {
  private readonly tracked;
  private readonly campaignsById: Map<string, CampaignDefinition>;

  constructor(
    private readonly working: Map<string, BatchCustomer<Trace>>,
    private readonly segments: readonly SegmentDefinition[],
    private readonly campaigns: readonly CampaignDefinition[],
    private readonly now: Date,
    private readonly limitsFor: (customerId: string) => ProfileLimits,
  ) {
    this.tracked = trackedProperties(segments.map((s) => s.rule));
    this.campaignsById = new Map(campaigns.map((c) => [c.id, c]));
  }

  apply(change: ProfileChange<Trace>): void {
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
        return this.applyMerge(change.customerId, change.mergedId, change);
      case 'split':
        return this.applySplit(change.customerId, change.parts, change);
      case 'decision':
        return this.applyDecision(change.customerId, change.campaignId, change.group, change.at, change);
      case 'reevaluate': {
        const w = this.get(change.customerId);
        if (w.exists && w.state.mergedInto === undefined) w.recompute ??= { kind: 'segment-change' };
        return;
      }
      case 'flush':
        return;
    }
  }

  /** The customers of the batch, as read and as changed. */
  customers(): IterableIterator<BatchCustomer<Trace>> {
    return this.working.values();
  }

  /** The customers to write: those this round changed. */
  dirty(): Array<BatchCustomer<Trace>> {
    return [...this.working.values()].filter((w) => w.dirty);
  }

  /**
   * First exposure time per "customer campaign" key (-Infinity once converted): what a caller
   * may remember to skip repeat decisions, since only the first exposure ever counts.
   */
  firstExposures(): Array<[key: string, firstExposedAt: number]> {
    const out: Array<[string, number]> = [];
    for (const w of this.working.values()) {
      for (const [campaignId, a] of Object.entries(w.state.attribution)) {
        out.push([exposureKey(w.state.customerId, campaignId), a.convertedAt !== undefined ? -Infinity : Date.parse(a.firstExposedAt)]);
      }
    }
    return out;
  }

  /** Memberships of every customer whose profile changed, one diff per customer per batch. */
  recomputeMemberships(): void {
    for (const w of this.working.values()) {
      if (w.recompute === undefined || w.state.mergedInto !== undefined) continue;
      const diff = diffMemberships(w.state.memberships, this.segments, w.state.profile, this.now, w.recompute);
      if (diff.changes.length > 0) {
        w.state = appendMembershipChanges(w.state, diff, w.cause);
        w.dirty = true;
      }
      w.recompute = undefined;
    }
  }

  private applyEvent(change: Extract<ProfileChange<Trace>, { kind: 'event' }>): void {
    const w = this.route(change.customerId);
    if (this.seen(w, change.eventId)) return;
    const before = w.state;
    let profile = applyResolvedEvent(before.profile, change.data, this.tracked, this.now, undefined, this.limitsFor(w.state.customerId));
    if (change.consent !== undefined) profile = applyConsent(profile, change.consent);
    // An event that changes nothing (a page view, the same traits again) is not worth a write.
    // Compared as values, not as JSON text: the folds share unchanged parts, which compare at once.
    const profileChanged = profile !== before.profile && !isDeepStrictEqual(profile, before.profile);
    let state: CustomerState = profileChanged ? { ...before, profile } : before;
    if (change.data.eventType === 'track' && change.data.event !== undefined) {
      for (const campaign of this.campaigns) {
        const goal = campaign.goal;
        if (goal.event !== change.data.event) continue;
        if (goal.where !== undefined && readProperty(change.data.properties, goal.where.property) !== goal.where.value) continue;
        state = recordGoal(state, campaign.id, change.data.timestamp, campaign.attributionWindowDays);
      }
    }
    // Revenue per customer and retention of every campaign the customer was exposed to.
    if (Object.keys(state.attribution).length > 0 && change.data.eventType !== 'alias' && change.data.eventType !== 'group') {
      const raw = change.data.properties?.['revenue'];
      const revenue = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
      for (const campaign of this.campaigns) {
        if (state.attribution[campaign.id] !== undefined)
          state = recordCampaignActivity(state, campaign.id, change.data.timestamp, revenue, campaign.attributionWindowDays);
      }
    }
    if (state === before) return;
    const cause: MembershipCause | undefined = !profileChanged
      ? undefined
      : change.consent !== undefined
        ? { kind: 'consent-change' }
        : { kind: 'profile-change' };
    this.update(w, markApplied(state, [change.eventId]), change, cause);
  }

  /** State topics: a merged-away id's own state is history, so it is not routed to the survivor. */
  private applyState(
    change: Origin<Trace> & { customerId: string },
    erasure: boolean,
    fold: (profile: CustomerProfile) => CustomerProfile,
  ): void {
    const w = this.get(change.customerId);
    if (w.state.mergedInto !== undefined || this.seen(w, change.eventId)) return;
    // Erasing what was never held would only create an empty customer.
    if (erasure && !w.exists && !w.dirty) return;
    this.update(w, markApplied({ ...w.state, profile: fold(w.state.profile) }, [change.eventId]), change, { kind: 'profile-change' });
  }

  /**
   * Folds the merged customer into the survivor: profile, experiment standing and applied
   * event ids (so the merged id's redelivered events are not counted twice). The survivor's
   * memberships are recomputed on the folded profile; the merged id exits everything. Guarded
   * by the survivor's applied ids, so a half-written earlier round is completed, not repeated.
   */
  private applyMerge(survivorId: string, mergedId: string, origin: Origin<Trace>): void {
    const { eventId } = origin;
    if (survivorId === mergedId) return;
    const survivor = this.route(survivorId);
    const merged = this.get(mergedId);
    if (survivor === merged || this.seen(survivor, eventId)) return;
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
    next = markApplied(appendMembershipChanges(next, diff.survivor, causeOf(origin)), [eventId]);
    this.update(survivor, next, origin, undefined);
    if (m.mergedInto === undefined) {
      this.update(merged, { ...appendMembershipChanges(m, diff.merged, causeOf(origin)), mergedInto: s.customerId }, origin, undefined);
    }
  }

  /**
   * A wrong merge undone. The platform keeps no raw event log, so counters and consent cannot
   * be divided: the first part keeps them; a part that was merged into this customer gets its
   * own profile back as it was at the merge. Identifiers follow the split, and value and needs
   * scoring publish each part's recomputed state, which corrects the rest.
   */
  private applySplit(
    customerId: string,
    parts: ReadonlyArray<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>,
    origin: Origin<Trace>,
  ): void {
    const { eventId } = origin;
    const original = this.get(customerId);
    if (this.seen(original, eventId)) return;
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
      this.update(w, markApplied(next, [eventId]), origin, { kind: 'split', fromCustomerId: customerId });
    }
  }

  private applyDecision(customerId: string, campaignId: string, group: 'treated' | 'control', at: string, origin: Origin<Trace>): void {
    const { eventId } = origin;
    const w = this.route(customerId);
    if (this.seen(w, eventId)) return;
    const next = exposeToCampaign(w.state, campaignId, group, at, this.windowDays(campaignId));
    // Only the first exposure counts, so repeat contacts change nothing and need no write.
    if (next === w.state) return;
    this.update(w, markApplied(next, [eventId]), origin, undefined);
  }

  private seen(w: BatchCustomer<Trace>, eventId: string): boolean {
    if (!hasApplied(w.state, eventId)) return false;
    w.replayed = true;
    return true;
  }

  private update(w: BatchCustomer<Trace>, state: CustomerState, origin: Origin<Trace>, recompute: MembershipCause | undefined): void {
    w.state = state;
    w.dirty = true;
    w.trace ??= origin.trace;
    w.cause ??= causeOf(origin);
    // A merge or split cause names what happened; keep it over a later plain profile change.
    if (
      recompute !== undefined &&
      (w.recompute === undefined || w.recompute.kind === 'profile-change' || w.recompute.kind === 'segment-change')
    ) {
      w.recompute = recompute;
    }
  }

  private get(customerId: string): BatchCustomer<Trace> {
    let w = this.working.get(customerId);
    if (w === undefined) {
      w = batchCustomer<Trace>({ state: emptyState(customerId), version: 0, exists: false });
      this.working.set(customerId, w);
    }
    return w;
  }

  /** Where an event of this id belongs now: the end of its mergedInto chain. */
  private route(customerId: string): BatchCustomer<Trace> {
    return this.get(followMerges(customerId, (id) => this.get(id).state.mergedInto));
  }

  private windowDays(campaignId: string): number {
    return this.campaignsById.get(campaignId)?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  }
}
