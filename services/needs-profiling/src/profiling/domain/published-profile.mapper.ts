import type { NeedsFactV1, NeedsProfiledDataV1 } from '@o2o/contracts';
import { effectiveFacts, type Fact, type NeedsProfile } from './needs-profile';
import type { ProfilingConfig } from './profiling-config';
import type { Condition } from './condition';
import { nextQuestion, unknownFactKeys } from './question-bank';
import { guidanceFor } from './stage.machine';
import { questionWeight, type CustomerValue } from './question-priority';

export interface PublishContext {
  /** Purposes the customer consents to; decides the published next question. */
  consentedPurposes: readonly string[];
  /** Evaluation time for staleness and cooldowns; defaults to the profile's clock. */
  now?: string;
  /** The customer's value state (value.scores.v1), weighing the next question's value; absent: not scored yet. */
  customerValue?: CustomerValue | undefined;
}

/** Purposes the customer granted through the preference centre (consent.<purpose> = true). */
export function consentedPurposesOf(profile: Pick<NeedsProfile, 'facts'>): string[] {
  return profile.facts
    .filter((f) => f.kind === 'explicit' && f.key.startsWith('consent.') && f.value === true)
    .map((f) => f.key.slice('consent.'.length))
    .sort();
}

function toContractFact(fact: Fact): NeedsFactV1 {
  return {
    key: fact.key,
    value: fact.value,
    kind: fact.kind,
    channel: fact.channel,
    purpose: fact.purpose,
    confidence: fact.confidence,
    observedAt: fact.observedAt,
    sourceEventId: fact.sourceEventId,
  };
}

/**
 * The full state for the compacted needs topic. One fact per key (the customer's word over our
 * inference); `unknown` lists the bank's fact keys that are unknown or stale, i.e. worth asking.
 * `updatedAt` is the profile's clock rather than the wall clock, so publishing the same profile
 * twice yields the same payload.
 */
export function toPublishedProfile(profile: NeedsProfile, config: ProfilingConfig, context: PublishContext): NeedsProfiledDataV1 {
  const now = context.now ?? profile.clock ?? new Date(0).toISOString();
  const weight = questionWeight(context.customerValue, config.questionBank.priority);
  const question = nextQuestion(profile, { consentedPurposes: context.consentedPurposes, now, weight }, config.questionBank);
  const published: NeedsProfiledDataV1 = {
    customerId: profile.customerId,
    stage: profile.stage.current,
    stageReason: profile.stage.reason,
    facts: effectiveFacts(profile).map(toContractFact),
    archetypes: [...profile.archetypes],
    unknown: unknownFactKeys(profile, config.questionBank, now),
    updatedAt: profile.clock ?? now,
  };
  // Decisions read the stage's contact frequency from here (campaign-customization caps contacts it starts by it).
  const guidance = guidanceFor(profile.stage.current, config.stageGuidance);
  published.stageGuidance = {
    maxContactsPer30Days: guidance.maxContactsPer30Days,
    minDaysBetweenContacts: guidance.minDaysBetweenContacts,
    content: [...guidance.content],
  };
  if (profile.stage.previous !== undefined) published.previousStage = profile.stage.previous;
  if (question) {
    // The wording and what it builds on travel with the question, so the next-action answer can say it without asking needs-profiling.
    const asked = config.questionBank.questions.find((q) => q.id === question.questionId);
    published.nextQuestion = {
      questionId: question.questionId,
      factKey: question.factKey,
      purpose: question.purpose,
      value: question.value,
    };
    if (asked !== undefined) {
      published.nextQuestion.wording = { ...asked.wording };
      const buildsOn = [...(asked.prerequisites?.factsKnown ?? []), ...conditionKeys(asked.prerequisites?.condition)];
      if (buildsOn.length > 0) published.nextQuestion.buildsOn = [...new Set(buildsOn)];
    }
  }
  return published;
}

const publishedTexts = new WeakMap<NeedsProfiledDataV1, string>();

/**
 * The payload as JSON text, serialised once per payload object: a publication's text is needed
 * for its event id's digest and again for the stored copy of the last publication (and was
 * serialised for each). Payloads are not modified once built (toPublishedProfile makes a new one
 * each time), so the text of an object stays its text; a WeakMap lets it go with the payload.
 */
export function publishedJson(data: NeedsProfiledDataV1): string {
  let text = publishedTexts.get(data);
  if (text === undefined) {
    text = JSON.stringify(data);
    publishedTexts.set(data, text);
  }
  return text;
}

/** The fact keys a condition reads. */
function conditionKeys(condition: Condition | undefined): string[] {
  if (condition === undefined) return [];
  if ('fact' in condition) return [condition.fact];
  if ('all' in condition) return condition.all.flatMap(conditionKeys);
  if ('any' in condition) return condition.any.flatMap(conditionKeys);
  if ('not' in condition) return conditionKeys(condition.not);
  return [];
}
