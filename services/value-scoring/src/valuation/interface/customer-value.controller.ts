import { Controller, Get, Inject, Param } from '@nestjs/common';
import { notFound } from '@o2o/runtime';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import { PurchaseSummaryRepository } from '../../purchases/infrastructure/purchase-summary.repository';
import { CustomerScore, PurchaseSummary } from '../../purchases/infrastructure/purchase-summary.schema';
import { VALUE_CONFIG } from '../../value.tokens';
import { CustomerScorer } from '../application/customer.scorer';
import { INTERIM_MODEL_VERSION, round2 } from '../domain/customer-valuation';
import { RequireScope, SCOPES } from '@o2o/auth';
import { walkMerges } from '@o2o/contracts';

@RequireScope(SCOPES.profilesRead)
@Controller('v1/customers')
export class CustomerValueController {
  constructor(
    private readonly summaries: PurchaseSummaryRepository,
    private readonly scorer: CustomerScorer,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
  ) {}

  /** The customer's value state and why; a merged id answers with its survivor's, saying so. */
  @Get(':id/value')
  async value(@Param('id') id: string) {
    const chain = await walkMerges(
      id,
      async (link) => (await this.summaries.findOne(link)) ?? undefined,
      (link) => link.mergedInto,
    );
    const summary = chain?.[chain.length - 1];
    const mergedPath = chain?.slice(1).map((link) => link._id) ?? [];
    if (!summary) throw notFound(`no value is known for customer ${id}`);
    const score = summary.score ?? this.scoreNow(summary);
    const survivorId = summary._id;
    return {
      customerId: survivorId,
      ...(mergedPath.length > 0
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
    const now = new Date();
    const scored = this.scorer.score(summary, now);
    return this.scorer.settle(scored, this.scorer.placeByCutoffs(scored.valuation.actualValue), now, 'api').score;
  }
}
