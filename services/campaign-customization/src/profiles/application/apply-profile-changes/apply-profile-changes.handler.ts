import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Context } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import type { MembershipChangedDataV1 } from '@o2o/contracts';
import { createEnvelope, type OutgoingEvent } from '@o2o/kafka';
import { extractTraceContext, injectTraceContext, InjectLogger, PlatformMetrics, type Logger } from '@o2o/observability';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import type { ProfileLimitName, ProfileLimits } from '../../../shared-kernel/domain/profile.projection';
import { LiveCampaigns } from '../../../campaigns/application/ports';
import { CoalescingGate, loadWithSurvivors } from '@o2o/mongo';
import { MembershipEvents, MembershipFlowCounts, StoredSegments, type FlowRecord } from '../../../segments/application/ports';
import { emptyState, type OutboxEntry } from '../../domain/customer-state';
import { batchCustomer, exposureKey, ProfileBatch, type BatchCustomer } from '../../domain/profile-batch';
import { CustomerStates, DecisionSnapshots, type DecisionSnapshot } from '../ports';
import type { ProfileChange } from './profile-change';

const SOURCE = '/services/campaign-customization';
/** Optimistic-concurrency rounds before the batch fails (and the transport retries it). */
const MAX_ROUNDS = 8;
/** Longest the entries-and-exits count may delay a publication. */
const FLOW_RECORD_WAIT_MS = 1000;
/** (customer, campaign) exposures remembered to skip repeat decisions without reading MongoDB. */
const EXPOSURES_REMEMBERED = 200_000;

type Working = BatchCustomer<Context>;

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
    private readonly customers: CustomerStates,
    private readonly segments: StoredSegments,
    private readonly campaigns: LiveCampaigns,
    private readonly publisher: MembershipEvents,
    private readonly snapshots: DecisionSnapshots,
    private readonly flow: MembershipFlowCounts,
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
    const first = this.exposures.get(exposureKey(customerId, campaignId));
    return first !== undefined && Date.parse(at) >= first;
  }

  private rememberExposures(batch: ProfileBatch<Context>): void {
    for (const [key, firstExposedAt] of batch.firstExposures()) this.exposures.set(key, firstExposedAt);
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
      // One bounds object per customer per round, not one per event.
      const limits = new Map<string, ProfileLimits>();
      const limitsFor = (customerId: string): ProfileLimits => {
        let held = limits.get(customerId);
        if (held === undefined) {
          held = {
            counterSeries: this.config.CUSTOMER_COUNTER_SERIES_MAX,
            counterValue: this.config.CUSTOMER_COUNTER_VALUE_MAX,
            traits: this.config.CUSTOMER_TRAITS_MAX,
            onLimit: (limit) => {
              const set = limited.get(customerId) ?? new Set<ProfileLimitName>();
              set.add(limit);
              limited.set(customerId, set);
            },
          };
          limits.set(customerId, held);
        }
        return held;
      };
      const sequences = new Map([...working].map(([id, w]) => [id, w.state.sequence]));
      const batch = new ProfileBatch<Context>(working, segments, campaigns, now, limitsFor);
      for (const change of changes) batch.apply(change);
      batch.recomputeMemberships();
      keepCauseTraces(working, sequences);
      const dirty = batch.dirty();
      const matched = await this.customers.write(dirty);
      const wrote = Date.now();
      if (matched === dirty.length) {
        await this.refreshSnapshots([...working.values()].filter((w) => w.dirty || (w.replayed && w.exists)));
        const published = await this.publishOutboxes(working);
        this.rememberExposures(batch);
        this.reportLimits(limited);
        const timings = { readMs: loaded - started, writeMs: wrote - loaded, publishMs: Date.now() - wrote };
        this.logger.debug(
          { changes: changes.length, customers: working.size, written: dirty.length, published, round, ...timings },
          'batch applied',
        );
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
        {
          customerId,
          limits: [...limits],
          counterSeriesMax: this.config.CUSTOMER_COUNTER_SERIES_MAX,
          counterValueMax: this.config.CUSTOMER_COUNTER_VALUE_MAX,
          traitsMax: this.config.CUSTOMER_TRAITS_MAX,
        },
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
    for (const [id, { stored }] of docs) working.set(id, batchCustomer<Context>(stored));
    // Asked for or merged into but not stored yet: a customer this batch starts.
    for (const id of [...ids, ...[...docs.values()].flatMap((d) => d.mergedInto ?? [])])
      if (!working.has(id)) working.set(id, batchCustomer<Context>({ state: emptyState(id), version: 0, exists: false }));
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
          trace: entry.traceparent !== undefined ? extractTraceContext({ traceparent: entry.traceparent }) : w.trace,
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
    await this.publisher.publish(events, { skipAcknowledged: true });
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

/**
 * The membership changes this batch queued keep the trace of their cause: the outbox may be
 * published by a later batch (a redelivery finds the changes applied and carries no trace of
 * its own) or by the stale-outbox sweep, and the change must still continue the cause's trace.
 */
function keepCauseTraces(working: ReadonlyMap<string, Working>, sequenceBefore: ReadonlyMap<string, number>): void {
  for (const [customerId, w] of working) {
    if (w.trace === undefined) continue;
    const from = sequenceBefore.get(customerId) ?? 0;
    const fresh = (entry: OutboxEntry) => entry.sequence > from && entry.traceparent === undefined;
    if (!w.state.outbox.some(fresh)) continue;
    const { traceparent } = injectTraceContext(w.trace);
    if (traceparent === undefined) continue;
    w.state = { ...w.state, outbox: w.state.outbox.map((entry) => (fresh(entry) ? { ...entry, traceparent } : entry)) };
  }
}
