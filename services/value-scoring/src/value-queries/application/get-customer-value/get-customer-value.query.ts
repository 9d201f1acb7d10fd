import { Inject, Injectable } from '@nestjs/common';
import { walkMerges } from '@o2o/contracts';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { PurchaseSummaries } from '../../../purchases/application/ports/purchase-summaries.port';
import { Clock } from '../../../shared-kernel/application/clock';
import type { CustomerScore, PurchaseSummary } from '../../../shared-kernel/domain';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import { INTERIM_MODEL_VERSION, round2 } from '../../../valuation/domain/customer-valuation';
import { VALUE_CONFIG } from '../../../value.tokens';

/**
 * Get customer value: the customer's value state and why, as `GET /v1/customers/{id}/value`
 * answers it. A merged id is followed to its survivor (libs/contracts walkMerges, the one
 * merge-chain walk of every service) and answers with the survivor's value, saying so.
 * undefined: no summary is known for the id (or its chain is broken).
 */
@Injectable()
export class GetCustomerValueHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly scorer: CustomerScorer,
    private readonly clock: Clock,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {}

  async execute(id: string) {
    const chain = await walkMerges(
      id,
      async (link) => (await this.summaries.findOne(link)) ?? undefined,
      (link) => link.mergedInto,
    );
    const summary = chain?.[chain.length - 1];
    if (!summary) return undefined;
    const merged = chain !== undefined && chain.length > 1;
    const score = summary.score ?? this.scoreNow(summary);
    const survivorId = summary._id;
    return {
      customerId: survivorId,
      ...(merged
        ? {
            requestedCustomerId: id,
            mergedInto: survivorId,
            note: `customer ${id} was merged into ${survivorId}; this is the survivor's value`,
          }
        : {}),
      actualValue: score.actualValue,
      grossValue: score.grossValue ?? null,
      costToServe: score.costToServe ?? null,
      strategicValue: score.strategicValue,
      tier: score.tier,
      probabilityAlive: score.probabilityAlive ?? null,
      expectedPurchases: score.expectedPurchases ?? null,
      expectedYearlySpend: score.expectedYearlySpend ?? null,
      currency: this.config.VALUE_CURRENCY,
      horizon: { years: this.config.VALUE_HORIZON_YEARS, annualDiscountRate: this.config.VALUE_DISCOUNT_RATE },
      modelVersion: score.modelVersion,
      model: score.modelVersion === INTERIM_MODEL_VERSION ? 'interim' : 'fitted',
      strategic: {
        /** Peer group: needs archetypes + category breadth band (or breadth alone when the group is small). */
        peerGroup: score.peerGroup ?? null,
        peerLevel: score.peerLevel ?? null,
        peerCustomers: score.peerCustomers ?? null,
        percentile: this.config.PEER_PERCENTILE,
      },
      purchases: summary.orderCount ?? summary.purchases,
      revenue: round2(summary.revenue),
      costEvents: {
        orders: summary.purchases,
        returns: summary.costs?.returns ?? 0,
        serviceCalls: summary.costs?.serviceCalls ?? 0,
        contacts: summary.costs?.contacts ?? {},
      },
      firstPurchaseAt: summary.firstPurchaseAt?.toISOString() ?? null,
      lastPurchaseAt: summary.lastPurchaseAt?.toISOString() ?? null,
      reasons: score.reasons,
      scoredAt: score.scoredAt.toISOString(),
    };
  }

  /** A customer not scored yet (its first event is being processed): score it without storing. */
  private scoreNow(summary: PurchaseSummary): CustomerScore {
    const now = this.clock.now();
    const scored = this.scorer.score(summary, now);
    return this.scorer.settle(scored, this.scorer.tiers.live(scored.valuation.actualValue), now, 'api').score;
  }
}

export type CustomerValueView = NonNullable<Awaited<ReturnType<GetCustomerValueHandler['execute']>>>;
