import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { Memberships } from '../../segments/domain/membership.diff';
import type { EvaluationOptions } from '../../segments/domain/segment-rule.evaluator';
import { arbitrate, type ArbitrationLearning } from './campaign.arbitration';
import { assessEligibility, type Eligibility, type IneligibilityCode } from './campaign.eligibility';
import type { CampaignDefinition } from './campaign-definition';
import type { ContactCounts, ContactPolicy } from './contact-cap';
import { isInCampaignHoldout, isInGlobalHoldout } from './holdout';
import type { AssembledOffer } from './offer.assembler';

export interface NextActionInput {
  profile: CustomerProfile;
  memberships: Memberships;
  campaigns: readonly CampaignDefinition[];
  channel: string;
  now: Date;
  /** Contact counts for every key countsNeeded() listed. */
  counts: ContactCounts;
  policy: ContactPolicy;
  evaluation?: Omit<EvaluationOptions, 'purpose'>;
  /** Learned arbitration; absent: priority and worth only. */
  learning?: ArbitrationLearning;
}

/** Why a campaign was not chosen, for the screen and for audit. */
export interface Passed {
  campaignId: string;
  code: IneligibilityCode | 'lost-arbitration';
  reason: string;
}

export type NextAction =
  | {
      kind: 'offer';
      campaignId: string;
      campaignVersion: number;
      channel: string;
      offer: AssembledOffer;
      reasons: string[];
      passed: Passed[];
    }
  | {
      /** The winner's control group: contact nobody, record a control exposure for the campaign. */
      kind: 'control';
      group: 'campaign' | 'global';
      campaignId: string;
      campaignVersion: number;
      channel: string;
      reason: string;
      passed: Passed[];
    }
  | { kind: 'none'; reason: string; passed: Passed[] };

/**
 * The best action for one contact. Eligibility, then arbitration over all eligible campaigns as
 * if nobody were held out, then the holdout of the winner only. Drawing the control group after
 * arbitration makes it comparable to the treated group: both are customers this campaign would
 * have won. A held-out winner gets no substitute campaign in this contact, so the control group
 * measures the campaign against no contact (other campaigns reach it at later contacts).
 */
export function decideNextAction(input: NextActionInput): NextAction {
  const { profile, channel, now } = input;
  const eligible: Array<Extract<Eligibility, { eligible: true }>> = [];
  const passed: Passed[] = [];
  for (const campaign of input.campaigns) {
    const result = assessEligibility({
      campaign,
      profile,
      memberships: input.memberships,
      channel,
      now,
      counts: input.counts,
      policy: input.policy,
      evaluation: input.evaluation,
    });
    if (result.eligible) eligible.push(result);
    else passed.push({ campaignId: result.campaignId, code: result.code, reason: result.reason });
  }
  const ranking = arbitrate(eligible, profile.customerId, now, input.counts, input.learning);
  const first = ranking[0];
  if (first === undefined) {
    return { kind: 'none', reason: input.campaigns.length === 0 ? 'no campaigns' : 'no campaign is eligible', passed };
  }
  for (const loser of ranking.slice(1)) {
    passed.push({
      campaignId: loser.candidate.campaign.id,
      code: 'lost-arbitration',
      reason: `lost to ${first.candidate.campaign.id}: ${loser.reason}`,
    });
  }
  const winner = first.candidate;
  const { campaign } = winner;
  const base = { campaignId: campaign.id, campaignVersion: campaign.version, channel, passed };
  if (isInGlobalHoldout(profile.customerId, input.policy.globalHoldoutShare)) {
    return { kind: 'control', group: 'global', ...base, reason: 'in the global control group' };
  }
  if (isInCampaignHoldout(profile.customerId, campaign.id, campaign.holdoutShare)) {
    return {
      kind: 'control',
      group: 'campaign',
      ...base,
      reason: `in the control group of ${campaign.id} (${campaign.holdoutShare * 100}% held out)`,
    };
  }
  return { kind: 'offer', ...base, offer: winner.offer, reasons: [...winner.reasons, `won arbitration: ${first.reason}`] };
}
