import { Inject, Injectable } from '@nestjs/common';
import { afterBatchCommit, OutgoingEvent } from '@o2o/kafka';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { PurchaseSummaries } from '../../../purchases/application/ports/purchase-summaries.port';
import { ValueStatePublisher } from '../../../purchases/application/ports/value-state.publisher';
import { SummaryUpdater } from '../../../purchases/application/update-summaries/summary-updater';
import { Clock } from '../../../shared-kernel/application/clock';
import type { PurchaseSummary, ScoreWrite } from '../../../shared-kernel/domain';
import { TierThresholds, TierWalker } from '../../../scoring/domain';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import { round2 } from '../../../valuation/domain/customer-valuation';
import { LogHistogram, peerLevels } from '../../../valuation/domain/peer-spend';
import { VALUE_CONFIG } from '../../../value.tokens';
import type { ValuationState } from '../../domain/model-version';
import { ModelVersions } from '../ports/model-versions.port';
import { WalkPageTransactions } from '../ports/walk-page.transactions';
import { ModelRegistry } from '../model.registry';

/** Lets a long job stop between pages: lock lease lost, or the process shutting down. */
export interface JobGuard {
  shouldStop(): boolean;
}

export class JobInterruptedError extends Error {
  constructor() {
    super('model job interrupted (lock lost or shutting down)');
    this.name = 'JobInterruptedError';
  }
}

export interface RescoreOutcome {
  modelVersion: string;
  customers: number;
  totalValue: number;
  published: number;
  cutoffs: ValuationState['cutoffs'];
  peerGroups: number;
  seconds: number;
}

/** An empty tier has no lowest value; this keeps live placement out of it (BSON has no Infinity in FerretDB). */
const EMPTY_TIER = Number.MAX_VALUE;

/**
 * Re-scores every customer with the current model and re-tiers by cumulative share of value,
 * one page at a time:
 * 1. by _id: score each customer, store its value as `rankValue`, add it to the total and its
 *    expected yearly spend to its peer groups' histograms;
 * 2. by (rankValue desc, _id) through the index: walk with TierWalker, settle each customer's
 *    tier, strategic value and reasons, and publish those whose state moved materially.
 * Memory is one page plus one histogram per peer group, whatever the number of customers.
 */
@Injectable()
export class RescoreCustomersHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly scorer: CustomerScorer,
    private readonly registry: ModelRegistry,
    private readonly versions: ModelVersions,
    private readonly publisher: ValueStatePublisher,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    private readonly updater: SummaryUpdater,
    private readonly clock: Clock,
    private readonly pages: WalkPageTransactions,
  ) {}

  async execute(guard: JobGuard): Promise<RescoreOutcome> {
    const started = process.hrtime.bigint();
    const now = this.clock.now();
    const model = this.registry.model();
    const pageSize = this.config.SCORING_PAGE_SIZE;

    let totalValue = 0;
    let customers = 0;
    const groups = new Map<string, LogHistogram>();
    let after: string | undefined;
    for (;;) {
      const page = await this.withLines(await this.summaries.page(after, pageSize));
      if (page.length === 0) break;
      const ranks: Array<{ customerId: string; rankValue: number }> = [];
      for (const summary of page) {
        const scored = this.scorer.score(summary, now);
        // Margins can be below zero; they rank below everyone (and take no share of the total).
        const value = scored.valuation.actualValue;
        totalValue += Math.max(0, value);
        customers++;
        ranks.push({ customerId: summary._id, rankValue: value });
        const yearly = scored.valuation.expectedYearlySpend;
        // Peers are buyers: a prospect's zero spend says nothing about what the group can spend.
        if (yearly !== undefined && scored.history.firstPurchaseDay) {
          for (const key of [scored.peerKeys.specific, scored.peerKeys.broad]) {
            let histogram = groups.get(key);
            if (!histogram) groups.set(key, (histogram = new LogHistogram()));
            histogram.add(yearly);
          }
        }
      }
      await this.summaries.setRankValues(ranks);
      after = page[page.length - 1]?._id;
      if (guard.shouldStop()) throw new JobInterruptedError();
    }

    const levels = peerLevels(groups, this.config.PEER_PERCENTILE, this.config.PEER_MIN_GROUP_SIZE);
    const peers = new Map(levels.map((l) => [l.key, l]));
    const cutoffs = { A: EMPTY_TIER, B: EMPTY_TIER, C: EMPTY_TIER };

    const thresholds: TierThresholds = { A: this.config.TIER_SHARE_A, B: this.config.TIER_SHARE_B, C: this.config.TIER_SHARE_C };
    const walker = new TierWalker(totalValue, thresholds);
    const walkId = `${model.version}:w${now.getTime()}`;
    let published = 0;
    let cursor: { rankValue: number; id: string } | undefined;
    try {
      for (;;) {
        const page = await this.withLines(await this.summaries.rankPage(cursor, pageSize));
        if (page.length === 0) break;
        const writes: ScoreWrite[] = [];
        const events: OutgoingEvent[] = [];
        for (const summary of page) {
          const rankValue = summary.rankValue ?? 0;
          const placed = walker.next({ customerId: summary._id, value: rankValue });
          if (placed.tier !== 'D') cutoffs[placed.tier] = Math.min(cutoffs[placed.tier], rankValue);
          const settled = this.scorer.settle(
            this.scorer.score(summary, now),
            this.scorer.tiers.walked(placed, rankValue),
            now,
            walkId,
            peers,
            // Still pending: its publication may never have committed (a page or a live batch aborted).
            summary.pendingPublish === true,
          );
          writes.push(settled.write);
          if (settled.event) events.push(settled.event);
        }
        await this.pages.run(() => this.settlePage(writes, events, walkId));
        published += events.length;
        const last = page[page.length - 1];
        if (last) cursor = { rankValue: last.rankValue ?? 0, id: last._id };
        if (guard.shouldStop()) throw new JobInterruptedError();
      }
    } finally {
      await this.pages.close();
    }

    const state: Omit<ValuationState, '_id'> = {
      modelVersion: model.version,
      walkedAt: now,
      totalValue,
      customers,
      cutoffs,
      peerLevels: levels,
      published,
    };
    await this.versions.saveState(state);
    this.registry.useState({ _id: 'current', ...state });
    return {
      modelVersion: model.version,
      customers,
      totalValue: round2(totalValue),
      published,
      cutoffs,
      peerGroups: levels.length,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  /**
   * Publishes a page's states and stores its scores, in the page's transaction (so nothing of it
   * is seen unless all of it completed). Published first, then stored at the revision read, the
   * published ones with the revision moved on and pending until the transaction committed, as
   * the live path does (SummaryUpdater): a live write that read the same revision then loses and
   * publishes its state again after this one. Where this write lost instead, a live update won
   * and may have published before this walk's older state: that customer's current state is
   * published again through the live path, after both, in this transaction, under an id of this
   * walk's (SummaryInput.republishAs). (Storing first and publishing only what was still at its
   * revision left a window: a live update that published between the check and this
   * publication was followed by the older state.)
   */
  private async settlePage(writes: ScoreWrite[], events: OutgoingEvent[], walkId: string): Promise<void> {
    await this.publisher.publish({ events });
    const publishedKeys = new Set(events.map((e) => e.key));
    const stored = writes.map((w) => (publishedKeys.has(w.customerId) ? { ...w, published: true } : w));
    const overtaken = await this.summaries.writeScores(stored);
    if (overtaken.length > 0) {
      await this.updater.update(
        overtaken.map((customerId) => ({
          customerId,
          followMerges: false,
          create: false,
          republish: true,
          // Its own id: the live one may be acknowledged already (skipped, leaving this walk's
          // older state the latest) or still in a live transaction (a second copy of it).
          republishAs: walkId,
          apply: () => undefined,
          cause: { trace: undefined, causationId: undefined, correlationId: undefined },
        })),
      );
    }
    const lost = new Set(overtaken);
    const confirmed = stored
      .filter((w) => w.published && !lost.has(w.customerId))
      .map((w) => ({ customerId: w.customerId, revision: w.revision + 1 }));
    await afterBatchCommit(() => this.summaries.confirmPublished(confirmed));
  }

  /** Pages come without order lines; customers whose stored model inputs are stale are read again whole. */
  private async withLines(page: PurchaseSummary[]): Promise<PurchaseSummary[]> {
    const stale = page.filter((s) => this.scorer.needsLines(s)).map((s) => s._id);
    if (stale.length === 0) return page;
    const whole = new Map((await this.summaries.find(stale)).map((s) => [s._id, s]));
    return page.map((s) => whole.get(s._id) ?? s);
  }
}
