import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectLogger, type Logger } from '@o2o/observability';
import { PeriodicJob } from '@o2o/runtime';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import { StoredSegments, type SegmentDocument } from '../../../segments/application/ports';
import { CustomerStates, JobLeases } from '../ports';
import { ApplyProfileChangesHandler } from '../apply-profile-changes/apply-profile-changes.handler';
import { RecordOfferOutcomesHandler } from '../../../outcomes/application/record-offer-outcomes.handler';
import { CampaignConflictError, LiveCampaigns, StoredCampaigns } from '../../../campaigns/application/ports';
import { liftRuleVerdict } from '../../../lift/domain/lift-rule';
import { computeLift } from '../../../lift/domain/lift.statistics';

const LOCK_TTL_MS = 30_000;
/** Lift is counted over all customers of a campaign: judged at most this often. */
const LIFT_RULES_INTERVAL_MS = 60_000;
/** An outbox older than this was left behind by a crash (a live write publishes within a batch). */
const STALE_OUTBOX_MS = 15_000;

/**
 * Work that is not driven by a topic: back-filling segments after they were created, edited or
 * deleted, publishing outboxes a crash left behind, and recording offers nobody answered in time
 * as ignored. Back-fills page through customers by
 * _id through the same conditional-version write as live events, so they never overwrite each
 * other. One instance runs a given back-fill at a time (a Redis lock with a TTL); progress is
 * stored on the segment, so another instance resumes where a stopped one left off.
 */
@Injectable()
export class BackgroundJobsRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob<void>;
  private stopping = false;
  private liftRulesAt = 0;
  private outcomeSweepAt = 0;

  constructor(
    private readonly segments: StoredSegments,
    private readonly customers: CustomerStates,
    private readonly apply: ApplyProfileChangesHandler,
    private readonly outcomes: RecordOfferOutcomesHandler,
    private readonly campaigns: StoredCampaigns,
    private readonly catalog: LiveCampaigns,
    private readonly leases: JobLeases,
    @InjectLogger() private readonly logger: Logger,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {
    this.job = new PeriodicJob(
      () => this.pass(),
      (error) => this.logger.warn({ err: error }, 'background jobs pass failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.BACKGROUND_INTERVAL_MS);
    this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.job.stop();
  }

  /** Runs one pass now, or joins the one in flight (tests and the API call it to start a back-fill without waiting). */
  tick(): void {
    if (!this.stopping) void this.job.run();
  }

  private async pass(): Promise<void> {
    for (const segment of await this.segments.pendingBackfills()) {
      if (this.stopping) return;
      await this.withLock(`lock:backfill:${segment._id}`, () => this.backfill(segment));
    }
    if (this.stopping) return;
    const stale = await this.customers.withStaleOutbox(new Date(Date.now() - STALE_OUTBOX_MS), 500);
    if (stale.length > 0) {
      await this.apply.execute(stale.map((customerId) => ({ kind: 'flush', customerId })));
      this.logger.info({ customers: stale.length }, 'published outboxes left behind');
    }
    if (this.stopping) return;
    // Offers past their response window become Offer Ignored (the deadline is stored with each offer).
    if (Date.now() - this.outcomeSweepAt >= this.config.OUTCOME_SWEEP_INTERVAL_MS) {
      this.outcomeSweepAt = Date.now();
      await this.withLock('lock:outcome-sweep', async () => {
        await this.outcomes.sweep();
      });
    }
    if (this.stopping) return;
    await this.withLock('lock:lift-rules', () => this.applyLiftRules());
  }

  /** Campaigns with a lift rule stop or shift once their lift interval excludes zero (a new version, saved conditionally). */
  private async applyLiftRules(): Promise<void> {
    if (Date.now() - this.liftRulesAt < LIFT_RULES_INTERVAL_MS) return;
    this.liftRulesAt = Date.now();
    // The catalog's copy (no read while unchanged); the save below is conditional on the stored version.
    for (const definition of await this.catalog.all()) {
      if (definition.liftRule === undefined || definition.status !== 'active') continue;
      const counts = await this.customers.attributionCounts(definition.id);
      const verdict = liftRuleVerdict(definition, computeLift({ treated: counts.treated, control: counts.control, confidence: 0.95 }));
      if (verdict === undefined) continue;
      const current = await this.campaigns.get(definition.id);
      if (current === null || current.definition.version !== definition.version) continue;
      try {
        await this.campaigns.save(current, verdict.next);
        // Every instance's catalog drops the old version now, not when it reaches its age.
        await this.catalog.invalidate();
        this.logger.info({ campaign: definition.id, action: verdict.action, version: verdict.next.version }, verdict.reason);
      } catch (error) {
        // Edited meanwhile: the next pass judges the new version.
        if (!(error instanceof CampaignConflictError)) throw error;
      }
    }
  }

  private async backfill(initial: SegmentDocument): Promise<void> {
    // Re-read under the lock: the document may have moved on since the list was read.
    const fresh = await this.segments.get(initial._id);
    if (!fresh || fresh.backfill.status === 'done') return;
    let progress = fresh.backfill;
    this.logger.info(
      { segment: fresh._id, version: progress.version, cause: progress.cause, from: progress.lastId },
      'segment back-fill running',
    );
    while (!this.stopping) {
      const page = await this.customers.page(progress.lastId, this.config.BACKFILL_PAGE_SIZE);
      const live = page.filter((p) => !p.merged).map((p) => p.customerId);
      this.segments.forget();
      if (live.length > 0) await this.apply.execute(live.map((customerId) => ({ kind: 'reevaluate', customerId })));
      const last = page[page.length - 1];
      const done = page.length < this.config.BACKFILL_PAGE_SIZE;
      const lastId = last?.customerId ?? progress.lastId;
      if (!(await this.segments.recordProgress(fresh._id, progress, lastId, live.length, done))) return;
      if (done) {
        this.logger.info(
          { segment: fresh._id, version: progress.version, processed: progress.processed + live.length },
          'segment back-fill done',
        );
        return;
      }
      progress = {
        ...progress,
        lastId,
        processed: progress.processed + live.length,
        startedAt: progress.startedAt ?? new Date().toISOString(),
      };
    }
  }

  /** One instance runs a given job at a time; the others skip it this pass. */
  private async withLock(key: string, work: () => Promise<void>): Promise<void> {
    await this.leases.withLease(key, LOCK_TTL_MS, work);
  }
}
