import type { ResolvedEventDataV1, ValueTier } from '@o2o/contracts';
import { seededUniform } from '@o2o/random';
import { applyEvent } from '../profiling/domain/apply-event';
import { emptyProfile, type NeedsProfile } from '../profiling/domain/needs-profile';
import type { ProfilingConfig } from '../profiling/domain/profiling-config';
import { nextQuestion, type AnswerSpec, type NextQuestion } from '../profiling/domain/question-bank';
import { questionWeight, type CustomerValue } from '../profiling/domain/question-priority';

/**
 * The question-priority benchmark's world, offline, through needs profiling's own code (applyEvent,
 * nextQuestion, questionWeight): a seeded population with value tiers has consented to be asked;
 * a channel can put only so many questions a week (an outbound survey, an agent's call list) and
 * asks the customers whose published next question is worth most. Customers answer (or decline)
 * and their answers are folded as "Question Answered" / "Question Declined" events. Compares
 * ranking by the value-weighted next question (this change) with the unweighted one (before).
 */

export type Policy = 'value-weighted' | 'unweighted';
export const policies: readonly Policy[] = ['value-weighted', 'unweighted'];

export interface QuestionSimulationOptions {
  customers: number;
  weeks: number;
  /** Questions the channel can put per week, as a share of the population. */
  weeklyCapacityShare: number;
  seed: number;
}

/** Share of customers per tier, and the share of C customers with room to grow above their value. */
const TIER_SHARES: ReadonlyArray<[ValueTier, number]> = [
  ['A', 0.1],
  ['B', 0.2],
  ['C', 0.5],
  ['D', 0.2],
];
const GROWING_SHARE_OF_C = 0.2;
const ANSWER_RATE = 0.7;
const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-05T09:00:00.000Z');

export interface Segment {
  segment: 'A' | 'B' | 'C growing' | 'C' | 'D';
  customers: number;
  /** Customers with nothing left worth asking (every question they can be asked is answered or declined and cooling down). */
  complete: number;
  questionsAsked: number;
}

export interface PolicyResult {
  policy: Policy;
  segments: Segment[];
  /** Per week: share of tier A customers complete. */
  weeklyTierAComplete: number[];
  questionsAsked: number;
}

interface Person {
  id: string;
  segment: Segment['segment'];
  value: CustomerValue;
  profile: NeedsProfile;
  asked: number;
}

function event(customerId: string, at: number, messageId: string, event: string, properties: Record<string, unknown>): ResolvedEventDataV1 {
  const time = new Date(at).toISOString();
  return {
    messageId,
    sourceId: 'bench-web',
    channel: 'web',
    customerId,
    identifiers: [],
    timestamp: time,
    receivedAt: time,
    eventType: 'track',
    event,
    properties,
  };
}

function answerFor(spec: AnswerSpec | undefined, random: () => number): string | number | boolean {
  if (spec === undefined) return 'yes';
  switch (spec.type) {
    case 'boolean':
      return random() < 0.5;
    case 'number': {
      const min = spec.min ?? 0;
      const max = spec.max ?? min + 10;
      return Math.round(min + random() * (max - min));
    }
    case 'text':
      return 'an answer';
    case 'choice':
      return spec.options[Math.floor(random() * spec.options.length)] ?? spec.options[0] ?? 'yes';
  }
}

function population(options: QuestionSimulationOptions, config: ProfilingConfig): Person[] {
  const random = seededUniform(options.seed);
  const people: Person[] = [];
  for (let i = 0; i < options.customers; i++) {
    const id = `c${i}`;
    let draw = random();
    let tier: ValueTier = 'D';
    for (const [t, share] of TIER_SHARES) {
      if (draw < share) {
        tier = t;
        break;
      }
      draw -= share;
    }
    const growing = tier === 'C' && random() < GROWING_SHARE_OF_C;
    const actualValue = { A: 2000, B: 600, C: 150, D: -20 }[tier];
    const value: CustomerValue = {
      tier,
      actualValue,
      strategicValue: growing ? actualValue * 3 : actualValue * 0.2,
      updatedAt: new Date(START).toISOString(),
    };
    const consent = event(id, START - DAY_MS, `${id}:consent`, config.events.preferencesUpdated, {
      preferences: {},
      consents: { contact: true, personalisation: true },
    });
    people.push({
      id,
      segment: growing ? 'C growing' : tier,
      value,
      profile: applyEvent(emptyProfile(id), consent, config).profile,
      asked: 0,
    });
  }
  return people;
}

export function simulateQuestions(options: QuestionSimulationOptions, config: ProfilingConfig): PolicyResult[] {
  return policies.map((policy) => {
    const people = population(options, config);
    const random = seededUniform(options.seed * 7919 + 1);
    // The same tie order for both policies: a fixed shuffle of the population.
    const order = new Map(people.map((p) => [p.id, seededUniform(options.seed + p.id.length * 31 + Number(p.id.slice(1)))()]));
    const capacity = Math.max(1, Math.round(options.customers * options.weeklyCapacityShare));
    const weeklyTierAComplete: number[] = [];
    const consented = ['contact', 'personalisation'];
    for (let week = 0; week < options.weeks; week++) {
      const now = START + week * 7 * DAY_MS;
      const nowIso = new Date(now).toISOString();
      const ranked: Array<{ person: Person; question: NextQuestion }> = [];
      for (const person of people) {
        const weight = policy === 'value-weighted' ? questionWeight(person.value, config.questionBank.priority) : 1;
        const question = nextQuestion(
          person.profile,
          { consentedPurposes: consented, now: nowIso, channel: 'web', weight },
          config.questionBank,
        );
        if (question !== undefined) ranked.push({ person, question });
      }
      ranked.sort((a, b) => b.question.value - a.question.value || (order.get(a.person.id) ?? 0) - (order.get(b.person.id) ?? 0));
      for (const { person, question } of ranked.slice(0, capacity)) {
        const at = now + 3_600_000;
        const base = `${person.id}:${week}:${question.questionId}`;
        person.asked += 1;
        person.profile = applyEvent(
          person.profile,
          event(person.id, at, `${base}:asked`, config.events.questionAsked, { questionId: question.questionId }),
          config,
        ).profile;
        const reply =
          random() < ANSWER_RATE
            ? event(person.id, at + 60_000, `${base}:answer`, config.events.questionAnswered, {
                questionId: question.questionId,
                answer: answerFor(question.answer, random),
              })
            : event(person.id, at + 60_000, `${base}:declined`, config.events.questionDeclined, { questionId: question.questionId });
        person.profile = applyEvent(person.profile, reply, config).profile;
      }
      const endOfWeek = new Date(now + 7 * DAY_MS - 1).toISOString();
      const tierA = people.filter((p) => p.segment === 'A');
      weeklyTierAComplete.push(tierA.filter((p) => isComplete(p, endOfWeek, config)).length / Math.max(1, tierA.length));
    }
    const end = new Date(START + options.weeks * 7 * DAY_MS - 1).toISOString();
    const segments: Segment[] = (['A', 'B', 'C growing', 'C', 'D'] as const).map((segment) => {
      const members = people.filter((p) => p.segment === segment);
      return {
        segment,
        customers: members.length,
        complete: members.filter((p) => isComplete(p, end, config)).length,
        questionsAsked: members.reduce((n, p) => n + p.asked, 0),
      };
    });
    return { policy, segments, weeklyTierAComplete, questionsAsked: people.reduce((n, p) => n + p.asked, 0) };
  });
}

/** Complete: nothing is left to learn: every question the customer can be asked is answered (a decline leaves it to learn; cooldowns and staleness only postpone). */
function isComplete(person: Person, now: string, config: ProfilingConfig): boolean {
  const questions = config.questionBank.questions.map(
    ({ staleAfterDays: _stale, declineCooldownDays: _declined, cooldownDays: _cooldown, ...q }) => q,
  );
  const bank = { ...config.questionBank, cooldownDays: 0, declineCooldownDays: 0, questions };
  return (
    nextQuestion({ ...person.profile, asked: [], declined: [] }, { consentedPurposes: ['contact', 'personalisation'], now }, bank) ===
    undefined
  );
}
