import { Inject, Injectable } from '@nestjs/common';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { LOGGER, Logger, tracer } from '@o2o/observability';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { evaluateStage, NeedsProfile, StageTransition } from '../../domain';
import { NeedsProfileStore, type ProfileWrite, type StoredNeedsProfile } from '../ports/needs-profile.store';
import { StageSweepLease } from '../ports/stage-sweep.lease';
import { ProfilingMetrics } from '../profiling.metrics';
import { PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';

export interface SweepResult {
  profiles: number;
  transitions: number;
}

/**
 * Lets time pass over every profile: customers who stopped coming move to lapsing, then lost.
 * Pages through the collection in _id order (one page in memory at a time), stores and
 * publishes only profiles whose stage moved. One instance sweeps at a time (a Redis LeaseLock,
 * held the way value-scoring's model jobs hold theirs); a profile an event writer changed
 * meanwhile is left to the next sweep.
 */
@Injectable()
export class SweepStagesHandler {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly publish: PublishProfilesHandler,
    private readonly lock: StageSweepLease,
    private readonly metrics: ProfilingMetrics,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Undefined when another instance holds the lock. */
  async execute(now: string = new Date().toISOString()): Promise<SweepResult | undefined> {
    // The lease is kept extended in the background while the sweep works (LeaseLock.hold), so a
    // slow page cannot lose it; a lease found lost (Redis away past its time to live, another
    // instance sweeping) stops the sweep after its page.
    const lease = await this.lock.hold(this.config.NEEDS_STAGE_SWEEP_LOCK_TTL_MS);
    if (lease === undefined) {
      this.metrics.sweeps.inc({ outcome: 'lock-held' });
      return undefined;
    }
    const span = tracer().startSpan('needs stage sweep', {}, ROOT_CONTEXT);
    const context = trace.setSpan(ROOT_CONTEXT, span);
    const result: SweepResult = { profiles: 0, transitions: 0 };
    try {
      let after: string | undefined;
      for (;;) {
        const page = await this.profiles.page(after, this.config.NEEDS_STAGE_SWEEP_PAGE_SIZE);
        const last = page[page.length - 1];
        if (!last) break;
        after = last._id;
        result.profiles += page.length;
        result.transitions += await this.sweepPage(page, now, context);
        if (lease.lost) {
          this.logger.warn({ after }, 'stage sweep lost its lock; the next run continues');
          break;
        }
      }
      this.metrics.sweeps.inc({ outcome: 'swept' });
      span.setAttributes({ 'needs.sweep.profiles': result.profiles, 'needs.sweep.transitions': result.transitions });
      return result;
    } catch (error) {
      this.metrics.sweeps.inc({ outcome: 'failed' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
      await lease.release().catch((error: unknown) => this.logger.warn({ err: error }, 'stage sweep lock not released; it expires'));
    }
  }

  private async sweepPage(page: readonly StoredNeedsProfile[], now: string, context: ReturnType<typeof trace.setSpan>): Promise<number> {
    const moved: Array<{ doc: StoredNeedsProfile; profile: NeedsProfile; transition: StageTransition }> = [];
    for (const doc of page) {
      if (doc.profile === undefined) continue;
      const evaluated = evaluateStage(doc.profile, now, this.config.profiling);
      if (evaluated.transition) moved.push({ doc, profile: evaluated.profile, transition: evaluated.transition });
    }
    if (moved.length === 0) return 0;
    const writes: ProfileWrite[] = moved.map((m) => ({ id: m.doc._id, expectedVersion: m.doc.version, exists: true, profile: m.profile }));
    const conflicts = await this.profiles.save(writes, this.config.NEEDS_JOURNAL_LIMIT);
    if (conflicts.size > 0) this.metrics.writeConflicts.inc({ operation: 'sweep' }, conflicts.size);
    const stored = moved.filter((m) => !conflicts.has(m.doc._id));
    for (const m of stored) this.metrics.transitions.inc({ to: m.transition.to, cause: 'time' });
    await this.publish.execute(
      stored.map((m) => ({
        id: m.doc._id,
        version: m.doc.version + 1,
        profile: m.profile,
        published: m.doc.published,
        trace: context,
        cause: 'time',
      })),
    );
    return stored.length;
  }
}
