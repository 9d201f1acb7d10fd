import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { offerOutcomeDataV1, type CampaignDecidedDataV1, type OfferOutcomeDataV1 } from '@o2o/contracts';
import { InjectLogger, type Logger } from '@o2o/observability';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import { LiveCampaigns } from '../../campaigns/application/ports';
import { offerIdOf, type ResponseStats } from '../../campaigns/domain/offer-learning';
import { channelOutcomeData, ignoredOutcomeData, isAnswer, type ChannelOutcome, type OpenOffer } from '../domain/offer-outcome';
import { outcomeEnvelope } from './outcome-envelope';
import { OfferOutcomes, OutcomeEvents, type OfferDecisionDocument } from './ports';

/** Response window of a campaign that does not set one. */
export const DEFAULT_RESPONSE_WINDOW_HOURS = 72;
const HOUR_MS = 3_600_000;
/** A claimed outcome still unpublished after this long was left behind by a crash. */
const STALE_CLAIM_MS = 30_000;
const SWEEP_PAGE = 500;

/** Reads fill in defaults: FerretDB can hand back a just-upserted document without its empty arrays. */
function openOffer(d: OfferDecisionDocument): OpenOffer {
  const { _id, state: _state, pending: _pending, ...rest } = d;
  return {
    ...rest,
    decisionId: _id,
    archetypes: Array.isArray(d.archetypes) ? d.archetypes : [],
    categories: Array.isArray(d.categories) ? d.categories : [],
  };
}

/**
 * Offer outcomes: decisions become open offers with a deadline; channels' answers close them and
 * are republished tied to their decision; the sweep turns overdue offers into Offer Ignored.
 * Every outcome is claimed in MongoDB before it is published and marked after, so a crash in
 * between republishes the same outcome id (consumers deduplicate).
 */
@Injectable()
export class RecordOfferOutcomesHandler {
  private cached: { stats: ResponseStats; at: number } | undefined;

  constructor(
    private readonly store: OfferOutcomes,
    private readonly publisher: OutcomeEvents,
    private readonly catalog: LiveCampaigns,
    @InjectLogger() private readonly logger: Logger,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  /** Offers delivered (decisions of kind offer, read back from campaigns.decisions) start waiting for an answer. */
  async recordDecisions(decisions: readonly CampaignDecidedDataV1[]): Promise<void> {
    const offers = decisions.filter((d) => d.kind === 'offer');
    if (offers.length === 0) return;
    const campaigns = new Map((await this.catalog.all()).map((c) => [c.id, c]));
    await this.store.recordOffers(
      offers.map((d): OpenOffer => {
        const windowHours = campaigns.get(d.campaignId)?.responseWindowHours ?? DEFAULT_RESPONSE_WINDOW_HOURS;
        const product = d.modules.find((m) => m.module === 'product');
        const category = product?.attributes['category'];
        return {
          decisionId: d.decisionId,
          customerId: d.customerId,
          campaignId: d.campaignId,
          campaignVersion: d.campaignVersion,
          offerId: offerIdOf({ campaignId: d.campaignId, modules: d.modules }),
          channel: d.channel,
          archetypes: d.archetypes ?? [],
          categories: typeof category === 'string' ? [category] : [],
          decidedAt: d.decidedAt,
          dueAt: new Date(Date.parse(d.decidedAt) + windowHours * HOUR_MS).toISOString(),
        };
      }),
    );
  }

  /**
   * Channels' outcome reports: tied to their decision, an answer closes the offer, all are
   * republished. The batch's offers are read at once and its claims written at once: per offer,
   * the first answer of the batch claims it if it is still open, and a report whose outcome holds
   * the claim (this batch's, or a redelivered one's from before) is marked published with it.
   */
  async recordChannelOutcomes(reports: ReadonlyArray<{ report: ChannelOutcome; trace?: Context | undefined }>): Promise<void> {
    if (reports.length === 0) return;
    const now = new Date();
    const held = await this.heldOffers(reports.map((r) => r.report));
    const outcomes = reports.map(({ report, trace }) => {
      const stored = held(report);
      // A decision id naming another customer's or campaign's offer is not this outcome's.
      const offer =
        stored !== undefined && stored.customerId === report.customerId && stored.campaignId === report.campaignId
          ? openOffer(stored)
          : undefined;
      const data = channelOutcomeData(report, offer);
      return { report, trace, stored: offer !== undefined ? stored : undefined, data };
    });
    /** The outcome holding each answered offer's claim: as stored, or this batch's first answer to an open offer. */
    const holder = new Map<string, string | undefined>();
    const claims: Array<{ decisionId: string; outcome: OfferOutcomeDataV1 }> = [];
    for (const { report, stored, data } of outcomes) {
      if (stored === undefined || !isAnswer(report.outcome) || holder.has(stored._id)) continue;
      if (stored.state === 'open') {
        holder.set(stored._id, data.outcomeId);
        claims.push({ decisionId: stored._id, outcome: data });
      } else holder.set(stored._id, stored.pending?.outcome.outcomeId);
    }
    const landed = await this.store.claim(claims, 'answered', now);
    for (const { decisionId } of claims) if (!landed.has(decisionId)) holder.delete(decisionId);
    const claimed = new Set(
      outcomes.flatMap(({ report, stored, data }) =>
        stored !== undefined && isAnswer(report.outcome) && holder.get(stored._id) === data.outcomeId ? [stored._id] : [],
      ),
    );
    await this.publisher.publish(
      outcomes.map(({ report, trace, data }) => ({
        event: outcomeEnvelope(data, { eventId: report.eventId, correlationId: report.correlationId }),
        trace,
      })),
    );
    await this.store.markPublished([...claimed]);
  }

  /** Each report's offer: by its decision id, else the customer's latest offer of the campaign. */
  private async heldOffers(reports: readonly ChannelOutcome[]): Promise<(report: ChannelOutcome) => OfferDecisionDocument | undefined> {
    const decisionIds = reports.flatMap((r) => (r.decisionId !== undefined ? [r.decisionId] : []));
    const customerIds = reports.flatMap((r) => (r.decisionId === undefined ? [r.customerId] : []));
    const documents = await this.store.held(decisionIds, customerIds);
    const byId = new Map(documents.map((d) => [d._id, d]));
    const latest = new Map<string, OfferDecisionDocument>();
    for (const d of byId.values()) {
      const key = `${d.customerId} ${d.campaignId}`;
      const other = latest.get(key);
      if (other === undefined || Date.parse(d.decidedAt) > Date.parse(other.decidedAt)) latest.set(key, d);
    }
    return (report) =>
      report.decisionId !== undefined ? byId.get(report.decisionId) : latest.get(`${report.customerId} ${report.campaignId}`);
  }

  /** Overdue offers become Offer Ignored; outcomes a crash left claimed but unpublished go out again. */
  async sweep(now: Date = new Date()): Promise<{ ignored: number; republished: number }> {
    const campaigns = new Map((await this.catalog.all()).map((c) => [c.id, c]));
    const overdue = (await this.store.overdue(now, SWEEP_PAGE)).map((held) => {
      const offer = openOffer(held);
      return {
        decisionId: offer.decisionId,
        outcome: ignoredOutcomeData(offer, campaigns.get(offer.campaignId)?.responseWindowHours ?? DEFAULT_RESPONSE_WINDOW_HOURS),
      };
    });
    const landed = await this.store.claim(overdue, 'ignored', now);
    const ignored = overdue.filter((o) => landed.has(o.decisionId)).map((o) => o.outcome);
    const left = await this.store.unpublished(new Date(now.getTime() - STALE_CLAIM_MS), SWEEP_PAGE);
    const all = [...ignored, ...left.filter((o) => !ignored.some((i) => i.outcomeId === o.outcomeId))];
    if (all.length === 0) return { ignored: 0, republished: 0 };
    // One stored outcome that no longer fits the contract must not hold up the others: it is logged and set aside.
    const events = all.flatMap((data) => {
      const parsed = offerOutcomeDataV1.safeParse(data);
      if (parsed.success) return [{ event: outcomeEnvelope(parsed.data) }];
      this.logger.error(
        { outcomeId: data.outcomeId, issues: parsed.error.issues },
        'stored offer outcome does not fit offer.outcome v1; not published',
      );
      return [];
    });
    await this.publisher.publish(events);
    await this.store.markPublished(all.flatMap((o) => (o.decisionId !== undefined ? [o.decisionId] : [])));
    if (ignored.length > 0) this.logger.info({ ignored: ignored.length }, 'offers without an answer recorded as ignored');
    return { ignored: ignored.length, republished: left.length };
  }

  /** Outcomes read back from campaigns.outcomes.v1: the evidence arbitration learns from. */
  async recordOutcomes(outcomes: readonly OfferOutcomeDataV1[]): Promise<void> {
    await this.store.recordOutcomes(outcomes);
  }

  /** Response counts for arbitration, re-counted at most every OUTCOME_STATS_TTL_MS (learning tolerates that lag). */
  async responseStats(): Promise<ResponseStats> {
    const now = Date.now();
    if (this.cached !== undefined && now - this.cached.at < this.config.OUTCOME_STATS_TTL_MS) return this.cached.stats;
    const stats = await this.store.responseStats();
    this.cached = { stats, at: now };
    return stats;
  }
}
