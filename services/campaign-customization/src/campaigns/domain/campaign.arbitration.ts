import { dayIndex } from '../../shared-kernel/domain/event-counter';
import type { CampaignDefinition } from './campaign-definition';
import { countKey, FAIRNESS_WINDOW_HOURS, scopes, type ContactCounts } from './contact-cap';
import { holdoutPosition } from './holdout';
import type { AssembledOffer } from './offer.assembler';
import { armKey, estimateOffer, offerIdOf, type LearningPolicy, type ResponseSampler, type ResponseStats } from './offer-learning';

/** Learned arbitration: response rates per offer and archetype, sampled (see offer-learning.ts). */
export interface ArbitrationLearning {
  stats: ResponseStats;
  /** The customer's archetype: the context rates are learned in. */
  archetype: string;
  policy: LearningPolicy;
  sampler: ResponseSampler;
}

export interface Ranked<T extends { campaign: CampaignDefinition }> {
  candidate: T;
  /** conversionValue discounted by how often this campaign already contacted the customer. */
  score: number;
  reason: string;
}

/**
 * Orders eligible campaigns for one contact; the first one gets it, the others wait. Priority
 * decides outright (a service message beats a promotion). Among equals, the worth of a
 * conversion divided by 1 + the campaign's contacts of this customer over the last week, so a
 * campaign that just spoke yields to one that has not: fairness per customer without a global
 * scheduler. Remaining ties rotate daily by a hash of customer, campaign and day, so no
 * campaign wins every tie forever, yet every instance picks the same one.
 */
export function arbitrate<T extends { campaign: CampaignDefinition; offer?: AssembledOffer }>(
  candidates: readonly T[],
  customerId: string,
  now: Date,
  counts: ContactCounts,
  learning?: ArbitrationLearning,
): Array<Ranked<T>> {
  const day = dayIndex(now);
  const ranked = candidates.map((candidate) => {
    const { campaign } = candidate;
    const recent = counts.get(countKey(scopes.campaign(campaign.id), FAIRNESS_WINDOW_HOURS)) ?? 0;
    const tie = holdoutPosition(customerId, `arbitration:${day}:${campaign.id}`);
    if (learning !== undefined) {
      // Learned: the worth of a conversion times a sampled acceptance rate of this offer for this archetype.
      const offerId = candidate.offer !== undefined ? offerIdOf(candidate.offer) : campaign.id;
      const estimate = estimateOffer(learning.stats, armKey(campaign.id, offerId, learning.archetype), learning.policy, learning.sampler);
      const score = (campaign.conversionValue * estimate.draw) / (1 + recent);
      return {
        candidate,
        score,
        tie,
        reason: `priority ${campaign.priority}, value ${campaign.conversionValue} x sampled acceptance ${round(estimate.draw)} of ${offerId} for ${learning.archetype} (mean ${round(estimate.mean)} from ${estimate.accepted} accepted / ${estimate.rejected} declined or ignored) / (1 + ${recent} contacts this week) = ${round(score)}`,
      };
    }
    const score = campaign.conversionValue / (1 + recent);
    return {
      candidate,
      score,
      tie,
      reason: `priority ${campaign.priority}, value ${campaign.conversionValue} / (1 + ${recent} contacts this week) = ${round(score)}`,
    };
  });
  ranked.sort((a, b) => b.candidate.campaign.priority - a.candidate.campaign.priority || b.score - a.score || a.tie - b.tie);
  return ranked.map(({ candidate, score, reason }) => ({ candidate, score, reason }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
