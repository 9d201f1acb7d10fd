import { createHash } from 'node:crypto';
import { growthBand } from '../domain/growth-band';
import { Inject, Injectable } from '@nestjs/common';
import { ValueScoredDataV1, ValueTier } from '@o2o/contracts';
import { createEnvelope, OutgoingEvent } from '@o2o/kafka';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import type { CustomerScore, PurchaseSummary, ScoreWrite } from '../../shared-kernel/domain';
import { VALUE_CONFIG } from '../../value.tokens';
import { ActiveModel, round2, strategicValueOf, Valuation, ValuationSettings, valueCustomer } from '../domain/customer-valuation';
import { PeerGroupKeys, peerGroupKeys, PeerLevel } from '../domain/peer-spend';
import { PurchaseHistory, purchaseHistory } from '../domain/purchase-history';
import { Margin, marginOf, noCosts } from '../domain/cost-model';
import { CostModels, ValueModels } from './ports/valuation-inputs.port';
import { ComputeTier, TierPlacement } from './compute-tier/compute-tier';

export const VALUE_SOURCE = '/services/value-scoring';

const MS_PER_YEAR = 365.25 * 86_400_000;

export interface ScoredCustomer {
  summary: PurchaseSummary;
  history: PurchaseHistory;
  /** Its actualValue is the margin (revenue valuation minus cost to serve). */
  valuation: Valuation;
  margin: Margin;
  peerKeys: PeerGroupKeys;
  model: ActiveModel;
}

export interface SettledScore {
  write: ScoreWrite;
  /** Present when the state moved enough to publish (tier change or a value beyond the threshold). */
  event?: OutgoingEvent;
  score: CustomerScore;
}

/**
 * Turns a purchase summary into its value state with the instance's current model: the one
 * place where live events, merges, splits, the re-scoring job and the API compute a score, so
 * they can never disagree on how.
 */
@Injectable()
export class CustomerScorer {
  readonly settings: ValuationSettings;
  /** Where every tier is decided (live and in the walk). */
  readonly tiers: ComputeTier;

  constructor(
    private readonly registry: ValueModels,
    private readonly costs: CostModels,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {
    this.settings = {
      horizonYears: config.VALUE_HORIZON_YEARS,
      annualDiscountRate: config.VALUE_DISCOUNT_RATE,
      periodsPerYear: config.VALUE_PERIODS_PER_YEAR,
      currency: config.VALUE_CURRENCY,
    };
    this.tiers = new ComputeTier(registry, config);
  }

  /** Whether the stored model inputs are stale, so the order lines must be read to score. */
  needsLines(summary: PurchaseSummary): boolean {
    return summary.scoredRevision !== summary.revision || summary.x === undefined;
  }

  history(summary: PurchaseSummary): PurchaseHistory {
    if (!this.needsLines(summary)) {
      return {
        orders: summary.orderCount ?? 0,
        x: summary.x ?? 0,
        mx: summary.mx ?? 0,
        netRevenue: summary.revenue,
        ...(summary.firstPurchaseDay ? { firstPurchaseDay: summary.firstPurchaseDay } : {}),
        ...(summary.lastPurchaseDay ? { lastPurchaseDay: summary.lastPurchaseDay } : {}),
      };
    }
    return purchaseHistory(summary.orders, this.config.MODEL_TIME_UNIT_DAYS, summary.archive);
  }

  score(summary: PurchaseSummary, now: Date): ScoredCustomer {
    const model = this.registry.model();
    const history = this.history(summary);
    const revenue = valueCustomer(model, history, now, this.settings);
    const since = summary.firstSeenAt ?? summary.firstPurchaseAt;
    const margin = marginOf(
      {
        purchases: summary.purchases,
        keptOrders: history.orders,
        counts: summary.costs ?? noCosts,
        tenureYears: since ? Math.max(0, now.getTime() - since.getTime()) / MS_PER_YEAR : 0,
        grossValue: revenue.actualValue,
        ...(model.kind === 'fitted'
          ? { forecast: { expectedPurchases: revenue.expectedPurchases ?? 0, probabilityAlive: revenue.probabilityAlive ?? 1 } }
          : {}),
      },
      this.costs.model(),
      this.settings,
    );
    return {
      summary,
      history,
      model,
      margin,
      valuation: { ...revenue, actualValue: margin.actualValue, reasons: [...revenue.reasons, margin.reason] },
      peerKeys: peerGroupKeys(summary.archetypes ?? [], summary.categories.length, this.config.CATEGORY_BREADTH_BANDS),
    };
  }

  /**
   * The write (and the event, if material) for a scored customer. `eventId` makes the event id
   * deterministic for its cause, so a redelivered batch republishes under the same id.
   * `publish` forces the event even when the move is not material: the topic may hold a state
   * the stored `published*` fields do not know of (see SummaryUpdater).
   */
  settle(
    scored: ScoredCustomer,
    placement: TierPlacement,
    now: Date,
    eventId: string,
    peers?: ReadonlyMap<string, PeerLevel>,
    publish = false,
  ): SettledScore {
    const { summary, history, valuation, model } = scored;
    // The re-scoring walk passes the peer levels it has just computed; everyone else uses the last walk's.
    const peer = peers
      ? (peers.get(scored.peerKeys.specific) ?? peers.get(scored.peerKeys.broad))
      : this.registry.peerLevel(scored.peerKeys);
    const strategic = strategicValueOf(valuation.expectedYearlySpend, peer, this.settings, this.config.PEER_PERCENTILE);
    const score: CustomerScore = {
      actualValue: round2(valuation.actualValue),
      grossValue: round2(scored.margin.grossValue),
      costToServe: round2(scored.margin.costToServe),
      strategicValue: round2(strategic.strategicValue),
      tier: placement.tier,
      modelVersion: model.version,
      reasons: [...valuation.reasons, placement.reason, strategic.reason],
      scoredAt: now,
      ...(valuation.probabilityAlive === undefined ? {} : { probabilityAlive: valuation.probabilityAlive }),
      ...(valuation.expectedPurchases === undefined ? {} : { expectedPurchases: valuation.expectedPurchases }),
      ...(valuation.expectedYearlySpend === undefined ? {} : { expectedYearlySpend: round2(valuation.expectedYearlySpend) }),
      ...(strategic.peerGroup === undefined
        ? {}
        : { peerGroup: strategic.peerGroup, peerLevel: round2(strategic.peerLevel ?? 0), peerCustomers: strategic.peerCustomers }),
    };
    const revenue = round2(history.netRevenue);
    // Purchase facts always count: under a fitted model a second order on the day of the first
    // leaves the value where it was (x counts purchase days), and a state without it would stay
    // the latest. The thresholds damp value moves alone (recency decay, costs of contacts).
    const material =
      publish ||
      summary.publishedPurchases !== history.orders ||
      summary.publishedRevenue !== revenue ||
      summary.publishedTier !== score.tier ||
      this.moved(summary.publishedValue, score.actualValue) ||
      this.moved(summary.publishedStrategicValue ?? 0, score.strategicValue);
    const set: Record<string, unknown> = {
      x: history.x,
      mx: history.mx,
      orderCount: history.orders,
      score,
      scoredRevision: summary.revision,
      growthValue: score.strategicValue,
    };
    const unset: string[] = [];
    // The most-growable ranking reads bands by equality (growth-band.ts): FerretDB serves those from an index.
    const band = growthBand(score.strategicValue);
    if (band !== undefined) set['growthBand'] = band;
    else unset.push('growthBand');
    if (history.firstPurchaseDay) set['firstPurchaseDay'] = history.firstPurchaseDay;
    else unset.push('firstPurchaseDay');
    if (history.lastPurchaseDay) set['lastPurchaseDay'] = history.lastPurchaseDay;
    else unset.push('lastPurchaseDay');
    const write: ScoreWrite = { customerId: summary._id, revision: summary.revision, set, unset };
    if (!material) return { write, score };
    set['publishedTier'] = score.tier;
    set['publishedValue'] = score.actualValue;
    set['publishedStrategicValue'] = score.strategicValue;
    set['publishedPurchases'] = history.orders;
    set['publishedRevenue'] = revenue;
    const data = this.contractData(summary, history, score);
    return {
      write,
      score,
      event: {
        key: summary._id,
        // The digest keeps one id for one content: two writers that read the same revision at
        // once (live events and needs profiles, partitions consumed concurrently) compute
        // different states, and one of them loses its write and publishes again.
        event: createEnvelope({
          id: `value:${summary._id}:${eventId}:${contentDigest(data)}`,
          type: 'customer.value-scored',
          version: 1,
          source: VALUE_SOURCE,
          subject: summary._id,
          data,
        }),
      },
    };
  }

  contractData(summary: PurchaseSummary, history: PurchaseHistory, score: CustomerScore): ValueScoredDataV1 {
    return {
      customerId: summary._id,
      actualValue: score.actualValue,
      ...(score.grossValue === undefined ? {} : { grossValue: score.grossValue }),
      ...(score.costToServe === undefined ? {} : { costToServe: score.costToServe }),
      strategicValue: score.strategicValue,
      tier: score.tier as ValueTier,
      ...(summary.publishedTier && summary.publishedTier !== score.tier ? { previousTier: summary.publishedTier as ValueTier } : {}),
      ...(score.probabilityAlive === undefined ? {} : { probabilityAlive: score.probabilityAlive }),
      ...(score.expectedPurchases === undefined ? {} : { expectedPurchases: score.expectedPurchases }),
      purchases: history.orders,
      revenue: round2(history.netRevenue),
      ...(summary.firstPurchaseAt ? { firstPurchaseAt: summary.firstPurchaseAt.toISOString() } : {}),
      ...(summary.lastPurchaseAt ? { lastPurchaseAt: summary.lastPurchaseAt.toISOString() } : {}),
      currency: this.config.VALUE_CURRENCY,
      modelVersion: score.modelVersion,
      reasons: score.reasons,
      updatedAt: score.scoredAt.toISOString(),
    };
  }

  private moved(published: number | undefined, value: number): boolean {
    if (published === undefined) return true;
    const threshold = Math.max(this.config.PUBLISH_VALUE_CHANGE_ABSOLUTE, this.config.PUBLISH_VALUE_CHANGE_RELATIVE * Math.abs(published));
    return Math.abs(value - published) > threshold;
  }
}

/** Digest of a published state without its timestamp: a republished identical state keeps its id. */
function contentDigest(data: ValueScoredDataV1): string {
  const { updatedAt: _updatedAt, ...content } = data;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}
