import type { RelationshipStage, ValueTier } from '@o2o/contracts';
import { resolveConsent } from '../../shared-kernel/domain/consent';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';

/** What the call-centre screen and the store clerk see before the offer. */
export interface CustomerBrief {
  customerId: string;
  /** How to greet: the first name if known, else the full name. */
  greetingName?: string;
  tier?: ValueTier;
  stage?: RelationshipStage;
  /** The one question worth asking now, unless its purpose was withdrawn. */
  nextQuestion?: BriefQuestion;
}

export interface BriefQuestion {
  questionId: string;
  factKey: string;
  purpose: string;
  /** How to put it on the channel asked about (absent when the channel has no wording: do not ask it there). */
  wording?: string;
  /** What the customer already told us that the question builds on (never what a withdrawn purpose covers). */
  buildsOn: Array<{ key: string; value: string | number | boolean | null; observedAt: string }>;
}

export function customerBrief(profile: CustomerProfile, channel?: string): CustomerBrief {
  const brief: CustomerBrief = { customerId: profile.customerId };
  const traits = profile.identity.traits;
  const name = [traits['firstName'], traits['first_name'], traits['name']].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  if (name !== undefined) brief.greetingName = name.trim();
  if (profile.value) brief.tier = profile.value.tier;
  if (profile.needs) {
    brief.stage = profile.needs.stage;
    const question = profile.needs.nextQuestion;
    if (question && resolveConsent(profile.consent, question.purpose).status !== 'withdrawn') {
      const next: BriefQuestion = { questionId: question.questionId, factKey: question.factKey, purpose: question.purpose, buildsOn: [] };
      const wording = channel !== undefined ? question.wording?.[channel] : undefined;
      if (wording !== undefined) next.wording = wording;
      for (const key of question.buildsOn ?? []) {
        const fact = profile.needs.facts.find((f) => f.key === key);
        if (fact !== undefined && resolveConsent(profile.consent, fact.purpose).status !== 'withdrawn')
          next.buildsOn.push({ key, value: fact.value, observedAt: fact.observedAt });
      }
      brief.nextQuestion = next;
    }
  }
  return brief;
}
