import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Context } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import { followMerges, topics, type MembershipChangedDataV1 } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import { InjectLogger, PlatformMetrics, type Logger } from '@o2o/observability';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import type { CustomerProfile } from '../../../segments/domain/customer-profile';
import { readProperty } from '../../../segments/domain/event-counter';
import { diffMemberships, mergeMemberships, type MembershipCause } from '../../../segments/domain/membership.diff';
import { applyConsent, applyIdentitySnapshot, applyNeedsProfiled, applyResolvedEvent, applyValueScored, mergeProfiles, type ProfileLimitName, type ProfileLimits } from '../../../segments/domain/profile.projection';
import { trackedProperties, type SegmentDefinition } from '../../../segments/domain/segment-definition';
import type { CampaignDefinition } from '../../../campaigns/domain/campaign-definition';
import { CampaignCatalog } from '../../../campaigns/infrastructure/campaign.catalog';
import { CoalescingGate, loadWithSurvivors } from '@o2o/mongo';
import { SegmentRepository } from '../../../segments/infrastructure/segment.repository';
import { MembershipFlowStore, type FlowRecord } from '../../../segments/infrastructure/membership-flow.store';
import {
  appendMembershipChanges,
  emptyState,
  exposeToCampaign,
  type ChangeCause,
  type OutboxEntry,
  hasApplied,
  markApplied,
  mergeAttribution,
  recordGoal,
  recordCampaignActivity,
  type CustomerState,
} from '../../domain/customer-state';
import { CustomerStateRepository, type StoredState } from '../../infrastructure/customer-state.repository';
import { DecisionSnapshotCache, type DecisionSnapshot } from '../../infrastructure/decision-snapshot.cache';
import type { ProfileChange } from './profile-change';

const SOURCE = '/services/campaign-customization';
/** Optimistic-concurrency rounds before the batch fails (and the transport retries it). */
const MAX_ROUNDS = 8;
const DEFAULT_WINDOW_DAYS = 30;
/** Longest the entries-and-exits count may delay a publication. */
const FLOW_RECORD_WAIT_MS = 1000;
/** (customer, campaign) exposures remembered to skip repeat decisions without reading MongoDB. */
const EXPOSURES_REMEMBERED = 200_000;

interface Working extends StoredState {
  dirty: boolean;
  /** Memberships must be recomputed before writing, for this reason. */
  recompute: MembershipCause | undefined;
  trace: Context | undefined;
  /** An input was skipped as already applied: a redelivery, which also repairs the Redis snapshot. */
  replayed: boolean;
  /** The first input of the batch that changed this customer: the cause its membership changes carry. */
  cause: ChangeCause | undefined;
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
    private readonly flow: MembershipFlowStore,
    @InjectLogger() private readonly logger: Logger,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
    metrics: PlatformMetrics,
  ) {
    this.limitsApplied = new Counter({
      name: 'o2o_campaign_customer_limits_applied_total',
      help: "Times a bound of one customer's document applied (limit: counter-series, counter-value, traits).",
      labelNames: ['limit'],
      registers: [metrics.registry],
    });
  }

  private readonly limitsApplied: Counter<'limit'>;

  /**
   * Batches of different topics (and back-fill pages) share customers: they run one at a time in
   * this process so they never make each other redo, and those that wait are combined into one
   * batch (the consumer hands one fetch's topics over at once), so each customer is read and
   * written once for all of them. Other instances are still handled by the conditional writes.
   */
  private readonly gate = new CoalescingGate<readonly ProfileChange[], ApplyResult>((submissions) => this.applyBatch(submissions.flat()));

  /**
   * First exposure time per "customer campaign" (-Infinity once converted) as last written or
   * read. Only the first exposure counts and exposures are never undone (a merge keeps the
   * earlier one), so a decision no earlier than it changes nothing: most decisions are repeat
   * contacts, and skipping them spares the batch its MongoDB read.
   */
  private readonly exposures = new LRUCache<string, number>({ max: EXPOSURES_REMEMBERED });

  execute(changes: readonly ProfileChange[]): Promise<ApplyResult> {
    const effective = changes.filter((c) => c.kind !== 'decision' || !this.isRepeatExposure(c.customerId, c.campaignId, c.at));
    return this.gate.submit(effective);
  }

  private isRepeatExposure(customerId: string, campaignId: string, at: string): boolean {
    const first = this.exposures.get(`${customerId} ${campaignId}`);
    return first !== undefined && Date.parse(at) >= first;
  }

  private rememberExposures(working: ReadonlyMap<string, Working>): void {
    for (const w of working.values()) {
      for (const [campaignId, a] of Object.entries(w.state.attribution)) {
        this.exposures.set(`${w.state.customerId} ${campaignId}`, a.convertedAt !== undefined ? -Infinity : Date.parse(a.firstExposedAt));
      }
    }
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
      // Limits that applied in this round: reported only for the round whose writes stick.
      const limited = new Map<string, Set<ProfileLimitName>>();
      const limitsFor = (customerId: string): ProfileLimits => ({
        counterSeries: this.config.CUSTOMER_COUNTER_SERIES_MAX,
        counterValue: this.config.CUSTOMER_COUNTER_VALUE_MAX,
        traits: this.config.CUSTOMER_TRAITS_MAX,
        onLimit: (limit) => {
          const set = limited.get(customerId) ?? new Set<ProfileLimitName>();
          set.add(limit);
          limited.set(customerId, set);
        },
      });
      const context = new BatchContext(working, segments, campaigns, now, limitsFor);
      for (const change of changes) context.apply(change);
      context.recomputeMemberships();
      const dirty = [...working.values()].filter((w) => w.dirty);
      const matched = await this.customers.write(dirty);
      const wrote = Date.now();
      if (matched === dirty.length) {
        await this.refreshSnapshots([...working.values()].filter((w) => w.dirty || (w.replayed && w.exists)));
        const published = await this.publishOutboxes(working);
        this.rememberExposures(working);
        this.reportLimits(limited);
        const timings = { readMs: loaded - started, writeMs: wrote - loaded, publishMs: Date.now() - wrote };
        this.logger.debug({ changes: changes.length, customers: working.size, written: dirty.length, published, round, ...timings }, 'batch applied');
        return { written: dirty.length, published, rounds: round };
      }
      this.logger.debug({ round, written: dirty.length, matched }, 'customers changed concurrently; redoing the batch');
      if (round >= MAX_ROUNDS) throw new Error(`customers kept changing concurrently after ${MAX_ROUNDS} rounds`);
    }
  }

  private reportLimits(limited: ReadonlyMap<string, ReadonlySet<ProfileLimitName>>): void {
    for (const [customerId, limits] of limited) {
      for (const limit of limits) this.limitsApplied.inc({ limit });
      // Customer ids carry no personal data: the id says whose profile to look at.
      this.logger.warn(
        { customerId, limits: [...limits], counterSeriesMax: this.config.CUSTOMER_COUNTER_SERIES_MAX, counterValueMax: this.config.CUSTOMER_COUNTER_VALUE_MAX, traitsMax: this.config.CUSTOMER_TRAITS_MAX },
        'customer profile limit applied',
      );
    }
  }

  /** Reads the batch's customers and, for merged-away ids, the customers they went to. */
  private async load(ids: string[]): Promise<Map<string, Working>> {
    const { docs } = await loadWithSurvivors(ids, async (wanted) => {
      const found = await this.customers.find(wanted);
      return new Map([...found].map(([id, stored]) => [id, { stored, mergedInto: stored.state.mergedInto }]));
    });
    const working = new Map<string, Working>();
    const fresh = (stored: StoredState): Working => ({ ...stored, dirty: false, recompute: undefined, trace: undefined, replayed: false, cause: undefined });
    for (const [id, { stored }] of docs) working.set(id, fresh(stored));
    // Asked for or merged into but not stored yet: a customer this batch starts.
    for (const id of [...ids, ...[...docs.values()].flatMap((d) => d.mergedInto ?? [])]) if (!working.has(id)) working.set(id, fresh({ state: emptyState(id), version: 0, exists: false }));
    return working;
  }

  /**
   * The next-action path serves these snapshots (and every instance's in-process copy follows
   * their versions), so one older than the document must not survive: when the refresh fails
   * the snapshots are dropped (readers fall back to MongoDB), and when that fails too the batch
   * fails; its redelivery finds the changes applied and refreshes the snapshots of the
   * customers it skipped (replayed). Re-putting an unchanged customer is a no-op (same version).
   */
  private async refreshSnapshots(customers: readonly Working[]): Promise<void> {
    const entries = customers.map((w) => {
      const snapshot: DecisionSnapshot = { profile: w.state.profile, memberships: w.state.memberships };
      if (w.state.mergedInto !== undefined) snapshot.mergedInto = w.state.mergedInto;
      return { customerId: w.state.customerId, version: w.dirty ? w.version + 1 : w.version, snapshot };
    });
    try {
      await this.snapshots.put(entries);
    } catch (error) {
      this.logger.warn({ err: error }, 'decision snapshots not refreshed; dropping them');
      await this.snapshots.drop(entries.map((e) => e.customerId));
    }
  }

  private async publishOutboxes(working: Map<string, Working>): Promise<number> {
    const events: OutgoingEvent[] = [];
    const flow: FlowRecord[] = [];
    const cleared: Array<{ customerId: string; entries: OutboxEntry[] }> = [];
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
        const id = `membership:${customerId}:${entry.sequence}`;
        flow.push({ eventId: id, segmentId: entry.segmentId, change: entry.change, changedAt: entry.changedAt });
        events.push({
          key: customerId,
          trace: w.trace,
          event: createEnvelope({
            // Deterministic: a re-publication after a crash or a lost clear carries the same id.
            id,
            type: 'segment.membership-changed',
            version: 1,
            source: SOURCE,
            subject: customerId,
            time: entry.changedAt,
            correlationid: entry.correlationId,
            causationid: entry.causationId,
            data,
          }),
        });
      }
      cleared.push({ customerId, entries: w.state.outbox });
    }
    if (events.length === 0) return 0;
    await this.recordFlow(flow);
    // A batch retried because the clear failed (MongoDB away right after the publish) would publish
    // the same changes again: their ids name one change for good, so what Kafka has is left out.
    await this.publisher.publish([{ topic: topics.segmentMembership, events }], { skipAcknowledged: true });
    await this.customers.clearOutboxes(cleared);
    return events.length;
  }

  /**
   * The entries-and-exits chart counts the changes before they are published (recording twice
   * counts once). It is a report, so Redis being away (or slow: at most FLOW_RECORD_WAIT_MS)
   * leaves a gap in it and never holds up the membership topic.
   */
  private async recordFlow(flow: readonly FlowRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.flow.record(flow),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from Redis within ${FLOW_RECORD_WAIT_MS} ms`)), FLOW_RECORD_WAIT_MS);
        }),
      ]);
    } catch (error) {
      this.logger.warn({ err: error, changes: flow.length }, 'segment entries and exits not counted');
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The input a change came from. */
type Origin = Pick<Exclude<ProfileChange, { kind: 'reevaluate' | 'flush' }>, 'eventId' | 'correlationId' | 'trace'>;

/** Tombstones carry no envelope: their position-based id is no event id to cite as a cause. */
function causeOf(origin: Origin): ChangeCause | undefined {
  if (origin.eventId.startsWith('tombstone:')) return undefined;
  return origin.correlationId === undefined ? { eventId: origin.eventId } : { eventId: origin.eventId, correlationId: origin.correlationId };
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
    private readonly limitsFor: (customerId: string) => ProfileLimits,
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

  private applyEvent(change: Extract<ProfileChange, { kind: 'event' }>): void {
    const w = this.route(change.customerId);
    if (this.seen(w, change.eventId)) return;
    const before = w.state;
    let profile = applyResolvedEvent(before.profile, change.data, this.tracked, this.now, undefined, this.limitsFor(w.state.customerId));
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
    // Revenue per customer and retention of every campaign the customer was exposed to.
    if (Object.keys(state.attribution).length > 0 && change.data.eventType !== 'alias' && change.data.eventType !== 'group') {
      const raw = change.data.properties?.['revenue'];
      const revenue = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
      for (const campaign of this.campaigns) {
        if (state.attribution[campaign.id] !== undefined) state = recordCampaignActivity(state, campaign.id, change.data.timestamp, revenue, campaign.attributionWindowDays);
      }
    }
    if (state === before) return;
    const cause: MembershipCause | undefined = !profileChanged ? undefined : change.consent !== undefined ? { kind: 'consent-change' } : { kind: 'profile-change' };
    this.update(w, markApplied(state, [change.eventId]), change, cause);
  }

  /** State topics: a merged-away id's own state is history, so it is not routed to the survivor. */
  private applyState(change: Origin & { customerId: string }, erasure: boolean, fold: (profile: CustomerProfile) => CustomerProfile): void {
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
  private applyMerge(survivorId: string, mergedId: string, origin: Origin): void {
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
  private applySplit(customerId: string, parts: ReadonlyArray<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>, origin: Origin): void {
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

  private applyDecision(customerId: string, campaignId: string, group: 'treated' | 'control', at: string, origin: Origin): void {
    const { eventId } = origin;
    const w = this.route(customerId);
    if (this.seen(w, eventId)) return;
    const next = exposeToCampaign(w.state, campaignId, group, at, this.windowDays(campaignId));
    // Only the first exposure counts, so repeat contacts change nothing and need no write.
    if (next === w.state) return;
    this.update(w, markApplied(next, [eventId]), origin, undefined);
  }

  private seen(w: Working, eventId: string): boolean {
    if (!hasApplied(w.state, eventId)) return false;
    w.replayed = true;
    return true;
  }

  private update(w: Working, state: CustomerState, origin: Origin, recompute: MembershipCause | undefined): void {
    w.state = state;
    w.dirty = true;
    w.trace ??= origin.trace;
    w.cause ??= causeOf(origin);
    // A merge or split cause names what happened; keep it over a later plain profile change.
    if (recompute !== undefined && (w.recompute === undefined || w.recompute.kind === 'profile-change' || w.recompute.kind === 'segment-change')) {
      w.recompute = recompute;
    }
  }

  private get(customerId: string): Working {
    let w = this.working.get(customerId);
    if (w === undefined) {
      w = { state: emptyState(customerId), version: 0, exists: false, dirty: false, recompute: undefined, trace: undefined, replayed: false, cause: undefined };
      this.working.set(customerId, w);
    }
    return w;
  }

  /** Where an event of this id belongs now: the end of its mergedInto chain. */
  private route(customerId: string): Working {
    return this.get(followMerges(customerId, (id) => this.get(id).state.mergedInto));
  }

  private windowDays(campaignId: string): number {
    return this.campaignsById.get(campaignId)?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  }
}
