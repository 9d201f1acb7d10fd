import { z } from 'zod';
import { relationshipStageSchema } from '@o2o/contracts';
import { conditionSchema, evaluateCondition } from './condition';
import { daysBetween, instantMs } from './instant';
import { questionPrioritySchema } from './question-priority';
import { effectiveFactMap, type AskedQuestion, type Fact, type FactValue, type NeedsProfile } from './needs-profile';

/**
 * Drip irrigation: every contact may carry one question, and the bank says which question is
 * worth most. Known facts are never asked again until they go stale.
 */
const answerSpecSchema = z.union([
  z.strictObject({ type: z.literal('boolean') }),
  z.strictObject({ type: z.literal('number'), min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({ type: z.literal('text'), maxLength: z.number().int().positive().default(200) }),
  z.strictObject({ type: z.literal('choice'), options: z.array(z.string().min(1)).min(1) }),
]);
export type AnswerSpec = z.output<typeof answerSpecSchema>;

export const questionSchema = z.strictObject({
  id: z.string().min(1).max(100),
  /** The fact the answer fills. */
  factKey: z.string().min(1).max(200),
  /** The purpose the customer is told the answer serves; asked only with consent to it. */
  purpose: z.string().min(1),
  /** Value of knowing the answer; the most valuable eligible question is asked first. */
  value: z.number().min(0),
  /** Wording per channel (web, app, call-centre, store, email...). A channel without wording is never asked. */
  wording: z.record(z.string().min(1), z.string().min(1)).refine((w) => Object.keys(w).length > 0, 'at least one wording'),
  prerequisites: z
    .strictObject({
      /** Facts that must already be known (any value). */
      factsKnown: z.array(z.string().min(1)).optional(),
      condition: conditionSchema.optional(),
      stages: z.array(relationshipStageSchema).min(1).optional(),
    })
    .optional(),
  /** An answer older than this is stale and may be asked again; without it, answers never go stale. */
  staleAfterDays: z.number().positive().optional(),
  /** Overrides the bank's cooldown between two askings of this question. */
  cooldownDays: z.number().min(0).optional(),
  /** Overrides the bank's cooldown after the customer declined this question. */
  declineCooldownDays: z.number().min(0).optional(),
  /** Expected answer; answers that do not fit are not stored. */
  answer: answerSpecSchema.optional(),
  /** An inferred fact at least this confident counts as known (by default only the customer's word does). */
  inferredCountsAsKnownFrom: z.number().min(0).max(1).optional(),
});
export type Question = z.output<typeof questionSchema>;

const defaultQuestions: z.input<typeof questionSchema>[] = [
  {
    id: 'contact-preferred-channel',
    factKey: 'contact.preferredChannel',
    purpose: 'contact',
    value: 90,
    staleAfterDays: 365,
    answer: { type: 'choice', options: ['email', 'sms', 'phone', 'post', 'app'] },
    wording: {
      web: 'How would you like us to keep in touch?',
      app: 'How would you like us to keep in touch?',
      'call-centre': 'Ask: how would they prefer we contact them (e-mail, SMS, phone, post, app)?',
      store: 'Ask: how would they prefer we contact them?',
      email: 'Tell us how you would like to hear from us.',
    },
  },
  {
    id: 'household-children',
    factKey: 'household.children',
    purpose: 'personalisation',
    value: 70,
    staleAfterDays: 730,
    answer: { type: 'boolean' },
    wording: {
      web: 'Are there children in your household?',
      app: 'Are there children in your household?',
      'call-centre': 'Ask, if it fits the conversation: are there children in the household?',
      store: 'Ask, if it fits the conversation: are there children in the household?',
    },
  },
  {
    id: 'work-location',
    factKey: 'work.location',
    purpose: 'personalisation',
    value: 65,
    staleAfterDays: 365,
    answer: { type: 'choice', options: ['home', 'office', 'hybrid', 'on-the-road'] },
    wording: {
      web: 'Where do you mostly work these days?',
      app: 'Where do you mostly work these days?',
      'call-centre': 'Ask: do they mostly work from home, the office, or both?',
    },
  },
  {
    id: 'contact-preferred-time',
    factKey: 'contact.preferredTime',
    purpose: 'contact',
    value: 60,
    staleAfterDays: 365,
    prerequisites: { factsKnown: ['contact.preferredChannel'] },
    answer: { type: 'choice', options: ['morning', 'afternoon', 'evening'] },
    wording: {
      web: 'When is the best time to reach you?',
      app: 'When is the best time to reach you?',
      'call-centre': 'Ask: when is the best time of day to reach them?',
    },
  },
  {
    id: 'travel-frequency',
    factKey: 'travel.frequency',
    purpose: 'personalisation',
    value: 55,
    staleAfterDays: 365,
    prerequisites: { stages: ['purchase', 'connection', 'loyalty'] },
    answer: { type: 'choice', options: ['rarely', 'yearly', 'monthly', 'weekly'] },
    wording: {
      web: 'How often do you travel?',
      app: 'How often do you travel?',
      'call-centre': 'Ask: how often do they travel?',
      store: 'Ask: how often do they travel?',
    },
  },
  {
    id: 'room-smoking',
    factKey: 'room.smoking',
    purpose: 'service',
    value: 40,
    prerequisites: { condition: { fact: 'travel.frequency', op: 'in', values: ['yearly', 'monthly', 'weekly'] } },
    answer: { type: 'boolean' },
    wording: {
      web: 'When you stay with us, do you prefer a smoking room?',
      'call-centre': 'Ask: smoking or non-smoking room?',
    },
  },
  {
    id: 'reading-newspaper',
    factKey: 'reading.newspaper',
    purpose: 'personalisation',
    value: 30,
    staleAfterDays: 730,
    prerequisites: { stages: ['connection', 'loyalty'] },
    answer: { type: 'text', maxLength: 100 },
    wording: {
      web: 'Which newspaper would you like with your breakfast?',
      'call-centre': 'Ask: which newspaper would they like in the morning?',
    },
  },
];

export const questionBankSchema = z
  .object({
    /** Days before the same question may be put to the same customer again, on any channel. */
    cooldownDays: z.number().min(0).default(14),
    /** Days a question the customer declined ("Question Declined") is not put to them again, on any channel. */
    declineCooldownDays: z.number().min(0).default(90),
    /** How the customer's value weighs the worth of asking them (the next question's published value). */
    priority: questionPrioritySchema.prefault({}),
    questions: z.array(questionSchema).default(() => defaultQuestions.map((q) => questionSchema.parse(q))),
    /**
     * Questions whose latest asking (and latest decline) a profile remembers (bounded customers:
     * channels name questions freely): beyond it the least recently asked are forgotten, counted
     * in o2o_needs_customer_limits_applied_total and logged. At least the bank's own questions.
     */
    askedKept: z.number().int().min(1).max(100_000).default(200),
  })
  .superRefine((bank, ctx) => {
    const seen = new Set<string>();
    bank.questions.forEach((q, index) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', index, 'id'], message: `duplicate question id ${q.id}` });
      seen.add(q.id);
    });
    if (bank.askedKept < bank.questions.length)
      ctx.addIssue({
        code: 'custom',
        path: ['askedKept'],
        message: `must be at least the number of questions in the bank (${bank.questions.length})`,
      });
  });
export type QuestionBank = z.output<typeof questionBankSchema>;

export function findQuestion(bank: QuestionBank, questionId: string): Question | undefined {
  return bank.questions.find((q) => q.id === questionId);
}

/** Whether an answer fits what the question asked; answers that do not fit are not stored. */
export function answerFits(question: Question, answer: FactValue): boolean {
  if (answer === null || !question.answer) return true; // null: the customer declined to answer
  const spec = question.answer;
  switch (spec.type) {
    case 'boolean':
      return typeof answer === 'boolean';
    case 'number':
      return typeof answer === 'number' && (spec.min === undefined || answer >= spec.min) && (spec.max === undefined || answer <= spec.max);
    case 'text':
      return typeof answer === 'string' && answer.length <= spec.maxLength;
    case 'choice':
      return typeof answer === 'string' && spec.options.some((o) => o.toLowerCase() === answer.trim().toLowerCase());
  }
}

export type FactFreshness = 'unknown' | 'stale' | 'fresh';

/**
 * The customer's own answer (including a declined answer, stored as null) is what makes a fact
 * known; inferences count only when the question says so.
 */
export function factFreshness(facts: readonly Fact[], question: Question, now: string): FactFreshness {
  const explicit = facts.find((f) => f.key === question.factKey && f.kind === 'explicit');
  const inferred = facts.find((f) => f.key === question.factKey && f.kind === 'inferred');
  const threshold = question.inferredCountsAsKnownFrom;
  const known = explicit ?? (inferred && threshold !== undefined && inferred.confidence >= threshold ? inferred : undefined);
  if (!known) return 'unknown';
  if (question.staleAfterDays !== undefined && daysBetween(known.observedAt, now) >= question.staleAfterDays) return 'stale';
  return 'fresh';
}

export interface QuestionContext {
  /** Channel the question would be asked on; without it, any channel with a wording qualifies. */
  channel?: string;
  consentedPurposes: readonly string[];
  /** questionId -> last asked at; merged with what the profile itself has recorded. */
  askedLog?: Readonly<Record<string, string>>;
  now: string;
  /** The customer's weight (questionWeight: their value tier and room to grow); the next question's value is the question's times it. Default 1. */
  weight?: number;
}

export type QuestionBlock = 'known' | 'purpose-not-consented' | 'prerequisites' | 'stage' | 'cooldown' | 'declined' | 'no-wording';

export interface QuestionAssessment {
  question: Question;
  freshness: FactFreshness;
  blockedBy: QuestionBlock[];
}

export interface NextQuestion {
  questionId: string;
  factKey: string;
  purpose: string;
  value: number;
  /** Why it is worth asking: never asked/answered, or the answer is too old. */
  because: 'unknown' | 'stale';
  channel?: string;
  wording?: string;
  /** The answer expected (boolean, number, text, a choice among options): what a form records it with. */
  answer?: AnswerSpec;
}

function lastAsked(
  asked: readonly AskedQuestion[],
  log: Readonly<Record<string, string>> | undefined,
  questionId: string,
): string | undefined {
  const fromProfile = asked.find((a) => a.questionId === questionId)?.at;
  const fromLog = log?.[questionId];
  if (fromProfile === undefined) return fromLog;
  if (fromLog === undefined) return fromProfile;
  return instantMs(fromProfile) >= instantMs(fromLog) ? fromProfile : fromLog;
}

/** Every question with what, if anything, stops it from being asked now (for the API and for tests). */
export function assessQuestions(
  profile: Pick<NeedsProfile, 'facts' | 'asked' | 'declined' | 'stage'>,
  context: QuestionContext,
  bank: QuestionBank,
): QuestionAssessment[] {
  const factMap = effectiveFactMap(profile);
  const consented = new Set(context.consentedPurposes);
  return bank.questions.map((question) => {
    const blockedBy: QuestionBlock[] = [];
    const freshness = factFreshness(profile.facts, question, context.now);
    if (freshness === 'fresh') blockedBy.push('known');
    if (!consented.has(question.purpose)) blockedBy.push('purpose-not-consented');
    const pre = question.prerequisites;
    if (pre) {
      const factsOk = (pre.factsKnown ?? []).every((key) => factMap.has(key));
      const conditionOk = pre.condition === undefined || evaluateCondition(pre.condition, { facts: factMap, stage: profile.stage.current });
      if (!factsOk || !conditionOk) blockedBy.push('prerequisites');
      if (pre.stages && !pre.stages.includes(profile.stage.current)) blockedBy.push('stage');
    }
    const asked = lastAsked(profile.asked, context.askedLog, question.id);
    const cooldown = question.cooldownDays ?? bank.cooldownDays;
    if (asked !== undefined && daysBetween(asked, context.now) < cooldown) blockedBy.push('cooldown');
    const declined = profile.declined?.find((d) => d.questionId === question.id)?.at;
    if (declined !== undefined && daysBetween(declined, context.now) < (question.declineCooldownDays ?? bank.declineCooldownDays))
      blockedBy.push('declined');
    if (context.channel !== undefined && question.wording[context.channel] === undefined) blockedBy.push('no-wording');
    return { question, freshness, blockedBy };
  });
}

/** The most valuable question that may be asked now, if any. */
export function nextQuestion(
  profile: Pick<NeedsProfile, 'facts' | 'asked' | 'declined' | 'stage'>,
  context: QuestionContext,
  bank: QuestionBank,
): NextQuestion | undefined {
  const [best] = assessQuestions(profile, context, bank)
    .filter((a) => a.blockedBy.length === 0)
    .sort(
      (a, b) =>
        b.question.value - a.question.value ||
        (a.freshness === b.freshness ? 0 : a.freshness === 'unknown' ? -1 : 1) ||
        (a.question.id < b.question.id ? -1 : a.question.id > b.question.id ? 1 : 0),
    );
  if (!best) return undefined;
  const { question } = best;
  const result: NextQuestion = {
    questionId: question.id,
    factKey: question.factKey,
    purpose: question.purpose,
    value: question.value * (context.weight ?? 1),
    because: best.freshness === 'stale' ? 'stale' : 'unknown',
  };
  if (question.answer !== undefined) result.answer = question.answer;
  if (context.channel !== undefined) {
    result.channel = context.channel;
    result.wording = question.wording[context.channel];
  }
  return result;
}

/** Fact keys the bank cares about that are unknown or stale, sorted. */
export function unknownFactKeys(profile: Pick<NeedsProfile, 'facts'>, bank: QuestionBank, now: string): string[] {
  const keys = new Set<string>();
  for (const question of bank.questions) if (factFreshness(profile.facts, question, now) !== 'fresh') keys.add(question.factKey);
  return [...keys].sort();
}
