import type { RelationshipStage, ValueTier } from '@o2o/contracts';
import { resolveConsent } from '../../segments/domain/consent';
import type { CustomerProfile } from '../../segments/domain/customer-profile';

/** What the call-centre screen and the store clerk see before the offer. */
export interface CustomerBrief {
  customerId: string;
  /** How to greet: the first name if known, else the full name. */
  greetingName?: string;
  tier?: ValueTier;
  stage?: RelationshipStage;
  /** The one question worth asking now, unless its purpose was withdrawn. */
  nextQuestion?: { questionId: string; factKey: string; purpose: string };
}

export function customerBrief(profile: CustomerProfile): CustomerBrief {
  const brief: CustomerBrief = { customerId: profile.customerId };
  const traits = profile.identity.traits;
  const name = [traits['firstName'], traits['first_name'], traits['name']].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (name !== undefined) brief.greetingName = name.trim();
  if (profile.value) brief.tier = profile.value.tier;
  if (profile.needs) {
    brief.stage = profile.needs.stage;
    const question = profile.needs.nextQuestion;
    if (question && resolveConsent(profile.consent, question.purpose).status !== 'withdrawn') {
      brief.nextQuestion = { questionId: question.questionId, factKey: question.factKey, purpose: question.purpose };
    }
  }
  return brief;
}
