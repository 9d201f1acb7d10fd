import { resolveConsent } from '../../shared-kernel/domain/consent';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { Memberships } from '../../segments/domain/membership.diff';
import type { EvaluationOptions } from '../../segments/domain/segment-rule.evaluator';
import { isLive, type CampaignDefinition } from './campaign-definition';
import { capChecksFor, checkCaps, type ContactCounts, type ContactPolicy } from './contact-cap';
import { assembleOffer, type AssembledOffer } from './offer.assembler';

export type IneligibilityCode = 'not-live' | 'channel' | 'segment' | 'consent' | 'offer' | 'cap' | 'customer-limit' | 'count-unavailable';

export interface EligibilityInput {
  campaign: CampaignDefinition;
  profile: CustomerProfile;
  /** The customer's current memberships (as the membership projection holds them). */
  memberships: Memberships;
  channel: string;
  now: Date;
  counts: ContactCounts;
  policy: ContactPolicy;
  evaluation?: Omit<EvaluationOptions, 'purpose'>;
}

export type Eligibility =
  | { eligible: true; campaign: CampaignDefinition; offer: AssembledOffer; reasons: string[] }
  | { eligible: false; campaignId: string; code: IneligibilityCode; reason: string };

/**
 * Whether the campaign may contact this customer now on this channel, and with what offer.
 * The holdout is deliberately not checked here: it is applied after arbitration, so that the
 * control group is drawn from exactly the customers the campaign would have won (see
 * decideNextAction).
 */
export function assessEligibility(input: EligibilityInput): Eligibility {
  const { campaign, profile, channel, now } = input;
  const no = (code: IneligibilityCode, reason: string): Eligibility => ({ eligible: false, campaignId: campaign.id, code, reason });
  if (!isLive(campaign, now)) return no('not-live', `campaign is ${campaign.status === 'active' ? 'outside its dates' : campaign.status}`);
  if (!campaign.channels.includes(channel)) return no('channel', `campaign does not use ${channel}`);
  const version = Object.prototype.hasOwnProperty.call(input.memberships, campaign.segmentId)
    ? input.memberships[campaign.segmentId]
    : undefined;
  if (version === undefined) return no('segment', `not in segment ${campaign.segmentId}`);
  // Contact needs an explicit grant for the purpose on this channel (opt-in), unlike segment membership.
  const consent = resolveConsent(profile.consent, campaign.purpose, channel);
  if (consent.status !== 'granted') {
    return no(
      'consent',
      consent.status === 'withdrawn'
        ? `consent for ${campaign.purpose} on ${channel} withdrawn at ${consent.at}`
        : `no consent for ${campaign.purpose} on ${channel}`,
    );
  }
  const assembly = assembleOffer(campaign, profile, now, input.evaluation);
  if (!assembly.ok) return no('offer', assembly.reason);
  const checks = capChecksFor(campaign, channel, input.policy, profile);
  const caps = checkCaps(checks, input.counts);
  if (!caps.ok) return no(caps.code, caps.reason);
  return {
    eligible: true,
    campaign,
    offer: assembly.offer,
    reasons: [
      `in segment ${campaign.segmentId} (version ${version})`,
      `consent for ${campaign.purpose} on ${channel} granted at ${consent.at}`,
      checks.length === 0 ? 'no contact caps apply' : `under all ${checks.length} contact caps`,
    ],
  };
}
