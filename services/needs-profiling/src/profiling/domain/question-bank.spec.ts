import fc from 'fast-check';
import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { applyEvent } from './apply-event';
import { DAY_MS } from './instant';
import { emptyProfile, type NeedsProfile } from './needs-profile';
import { defaultProfilingConfig, parseProfilingConfig, type ProfilingConfig } from './profiling-config';
import { assessQuestions, nextQuestion, questionBankSchema, unknownFactKeys, type QuestionBank } from './question-bank';
import { answered, asked, day, ordered, track } from './testing/resolved-event.factory';

const config = defaultProfilingConfig;
const bank = config.questionBank;
const allPurposes = ['contact', 'personalisation', 'service'];

function fold(events: ResolvedEventDataV1[], cfg: ProfilingConfig = config): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, cfg).profile, emptyProfile('c-1'));
}

const highestValue = () => [...bank.questions].filter((q) => !q.prerequisites).sort((a, b) => b.value - a.value)[0];

describe('next question', () => {
  it('asks the most valuable question first', () => {
    const top = highestValue();
    expect(nextQuestion(emptyProfile('c-1'), { consentedPurposes: allPurposes, now: day(0) }, bank)?.questionId).toBe(top?.id);
  });

  it('never asks what the customer already told us, on any channel', () => {
    const p = fold([answered('contact-preferred-channel', 'email', { at: day(0), channel: 'store' })]);
    const next = nextQuestion(p, { consentedPurposes: allPurposes, now: day(1), channel: 'web' }, bank);
    expect(next?.questionId).not.toBe('contact-preferred-channel');
    const assessed = assessQuestions(p, { consentedPurposes: allPurposes, now: day(1) }, bank).find(
      (a) => a.question.id === 'contact-preferred-channel',
    );
    expect(assessed?.blockedBy).toContain('known');
  });

  it('also treats a declined answer as known', () => {
    const p = fold([answered('household-children', null, { at: day(0) })]);
    expect(
      assessQuestions(p, { consentedPurposes: allPurposes, now: day(1) }, bank).find((a) => a.question.id === 'household-children')
        ?.blockedBy,
    ).toContain('known');
  });

  it('asks again once the answer is stale', () => {
    const q = bank.questions.find((x) => x.id === 'contact-preferred-channel');
    const stale = q?.staleAfterDays ?? 0;
    const p = fold([answered('contact-preferred-channel', 'email', { at: day(0) })]);
    const next = nextQuestion(p, { consentedPurposes: ['contact'], now: day(stale + 1) }, bank);
    expect(next).toMatchObject({ questionId: 'contact-preferred-channel', because: 'stale' });
    // A form records the answer with the controls its spec asks for (the console's answer buttons).
    expect(next?.answer).toEqual({ type: 'choice', options: ['email', 'sms', 'phone', 'post', 'app'] });
  });

  it('asks only for purposes the customer consented to', () => {
    const next = nextQuestion(emptyProfile('c-1'), { consentedPurposes: ['service'], now: day(0) }, bank);
    // room-smoking (service) needs travel.frequency known first, so nothing is eligible.
    expect(next).toBeUndefined();
    expect(nextQuestion(emptyProfile('c-1'), { consentedPurposes: [], now: day(0) }, bank)).toBeUndefined();
  });

  it('respects prerequisites: facts known, conditions, stages', () => {
    const ctx = { consentedPurposes: allPurposes, now: day(1) };
    const blocked = (p: NeedsProfile, id: string) => assessQuestions(p, ctx, bank).find((a) => a.question.id === id)?.blockedBy ?? [];
    const empty = emptyProfile('c-1');
    expect(blocked(empty, 'contact-preferred-time')).toContain('prerequisites');
    expect(blocked(fold([answered('contact-preferred-channel', 'sms', { at: day(0) })]), 'contact-preferred-time')).toEqual([]);
    expect(blocked(empty, 'travel-frequency')).toEqual(['stage']);
    expect(blocked(fold([ordered({}, { at: day(0) })]), 'travel-frequency')).toEqual([]);
    expect(blocked(fold([ordered({}, { at: day(0) }), answered('travel-frequency', 'rarely', { at: day(0) })]), 'room-smoking')).toEqual([
      'prerequisites',
    ]);
    expect(blocked(fold([ordered({}, { at: day(0) }), answered('travel-frequency', 'weekly', { at: day(0) })]), 'room-smoking')).toEqual(
      [],
    );
  });

  it('waits for the cooldown after asking, whichever channel asked', () => {
    const top = highestValue();
    if (!top) throw new Error('bank has no question without prerequisites');
    const p = fold([asked(top.id, { at: day(0), channel: 'call-centre' })]);
    expect(nextQuestion(p, { consentedPurposes: allPurposes, now: day(bank.cooldownDays - 1), channel: 'web' }, bank)?.questionId).not.toBe(
      top.id,
    );
    expect(nextQuestion(p, { consentedPurposes: allPurposes, now: day(bank.cooldownDays), channel: 'web' }, bank)?.questionId).toBe(top.id);
    // A log kept elsewhere (e.g. a channel's own memory) counts too.
    const log = { [top.id]: day(bank.cooldownDays) };
    expect(nextQuestion(p, { consentedPurposes: allPurposes, now: day(bank.cooldownDays + 1), askedLog: log }, bank)?.questionId).not.toBe(
      top.id,
    );
  });

  it('asks only questions worded for the channel, and returns the wording', () => {
    const custom: QuestionBank = questionBankSchema.parse({
      questions: [
        { id: 'a', factKey: 'a', purpose: 'p', value: 10, wording: { store: 'Ask A' } },
        { id: 'b', factKey: 'b', purpose: 'p', value: 5, wording: { web: 'B?', store: 'Ask B' } },
      ],
    });
    expect(nextQuestion(emptyProfile('c-1'), { consentedPurposes: ['p'], now: day(0), channel: 'web' }, custom)).toEqual({
      questionId: 'b',
      factKey: 'b',
      purpose: 'p',
      value: 5,
      because: 'unknown',
      channel: 'web',
      wording: 'B?',
    });
    expect(nextQuestion(emptyProfile('c-1'), { consentedPurposes: ['p'], now: day(0), channel: 'store' }, custom)?.wording).toBe('Ask A');
  });

  it('counts a confident inference as known only when the question says so', () => {
    const custom = parseProfilingConfig({
      questionBank: {
        questions: [
          {
            id: 'fav',
            factKey: 'affinity.category.shoes',
            purpose: 'p',
            value: 1,
            wording: { web: 'Do you like shoes?' },
            inferredCountsAsKnownFrom: 0.3,
          },
          { id: 'fav2', factKey: 'affinity.category.shoes', purpose: 'p', value: 1, wording: { web: 'Shoes?' } },
        ],
      },
    });
    const p = fold([ordered({ categories: ['shoes'] }, { at: day(0) }), ordered({ categories: ['shoes'] }, { at: day(0) })], custom);
    const assessed = assessQuestions(p, { consentedPurposes: ['p'], now: day(0) }, custom.questionBank);
    expect(assessed.map((a) => a.freshness)).toEqual(['fresh', 'unknown']);
  });

  it('lists the unknown and stale fact keys', () => {
    const p = fold([answered('contact-preferred-channel', 'email', { at: day(0) }), answered('household-children', true, { at: day(0) })]);
    const all = [...new Set(bank.questions.map((q) => q.factKey))].sort();
    expect(unknownFactKeys(p, bank, day(1))).toEqual(all.filter((k) => k !== 'contact.preferredChannel' && k !== 'household.children'));
    expect(unknownFactKeys(p, bank, day(400))).toContain('contact.preferredChannel');
    expect(unknownFactKeys(p, bank, day(400))).not.toContain('household.children');
  });

  it('rejects a malformed bank', () => {
    const q = { id: 'a', factKey: 'a', purpose: 'p', value: 1, wording: { web: 'A?' } };
    expect(questionBankSchema.safeParse({ questions: [q, q] }).success).toBe(false);
    expect(questionBankSchema.safeParse({ questions: [{ ...q, wording: {} }] }).success).toBe(false);
    expect(questionBankSchema.safeParse({ questions: [{ ...q, value: -1 }] }).success).toBe(false);
    expect(questionBankSchema.safeParse({ questions: [{ ...q, prerequisites: { stages: ['nowhere'] } }] }).success).toBe(false);
  });
});

describe('next question (properties)', () => {
  const channels = ['web', 'app', 'call-centre', 'store', 'email'] as const;
  const purposes = ['p0', 'p1', 'p2'];
  const keys = ['k0', 'k1', 'k2', 'k3'];
  const minutes = (n: number) => new Date(Date.parse(day(0)) + n * 60_000).toISOString();
  const horizon = 400 * 24 * 60;

  const questionArb = (withPrerequisites: boolean) =>
    fc.record(
      {
        factKey: fc.constantFrom(...keys),
        purpose: fc.constantFrom(...purposes),
        value: fc.integer({ min: 0, max: 100 }),
        wording: fc
          .uniqueArray(fc.constantFrom(...channels), { minLength: 1, maxLength: 3 })
          .map((cs) => Object.fromEntries(cs.map((c) => [c, `${c}?`]))),
        staleAfterDays: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
        cooldownDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        prerequisites: withPrerequisites
          ? fc.option(fc.record({ factsKnown: fc.uniqueArray(fc.constantFrom(...keys), { maxLength: 2 }) }), { nil: undefined })
          : fc.constant(undefined),
      },
      { requiredKeys: ['factKey', 'purpose', 'value', 'wording'] },
    );

  const bankArb = (withPrerequisites: boolean) =>
    fc
      .array(questionArb(withPrerequisites), { minLength: 1, maxLength: 6 })
      .map((qs) => questionBankSchema.parse({ cooldownDays: 7, questions: qs.map((q, i) => ({ ...q, id: `q${i}` })) }));

  const scenarioArb = (withPrerequisites: boolean) =>
    bankArb(withPrerequisites).chain((qb) =>
      fc.record({
        bank: fc.constant(qb),
        answers: fc.array(
          fc.record({
            q: fc.integer({ min: 0, max: qb.questions.length - 1 }),
            at: fc.integer({ min: 0, max: horizon }),
            answer: fc.oneof(fc.boolean(), fc.constantFrom('a', 'b'), fc.constant(null)),
          }),
          { maxLength: 8 },
        ),
        asks: fc.array(fc.record({ q: fc.integer({ min: 0, max: qb.questions.length - 1 }), at: fc.integer({ min: 0, max: horizon }) }), {
          maxLength: 5,
        }),
        consented: fc.oneof(fc.constant(purposes), fc.subarray(purposes)),
        channel: fc.option(fc.constantFrom(...channels), { nil: undefined }),
        now: fc.integer({ min: 0, max: horizon + 200 * 24 * 60 }),
      }),
    );

  type Scenario = ReturnType<typeof scenarioArb> extends fc.Arbitrary<infer S> ? S : never;

  function build(s: Scenario) {
    const cfg: ProfilingConfig = { ...defaultProfilingConfig, questionBank: s.bank };
    const events = [
      ...s.answers.map((a, i) => answered(`q${a.q}`, a.answer, { id: `ans-${i}`, at: minutes(a.at) })),
      ...s.asks.map((a, i) => asked(`q${a.q}`, { id: `ask-${i}`, at: minutes(a.at) })),
    ];
    return { cfg, profile: fold(events, cfg) };
  }

  // The test's own model of the rules, from the generated inputs rather than from the profile.
  function model(s: Scenario) {
    const now = Date.parse(minutes(s.now));
    const latestAnswer = (key: string) => {
      const times = s.answers.filter((a) => s.bank.questions[a.q]?.factKey === key).map((a) => Date.parse(minutes(a.at)));
      return times.length ? Math.max(...times) : undefined;
    };
    const knownFresh = (qi: number) => {
      const q = s.bank.questions[qi];
      if (!q) return false;
      const at = latestAnswer(q.factKey);
      if (at === undefined) return false;
      return q.staleAfterDays === undefined || (now - at) / DAY_MS < q.staleAfterDays;
    };
    const inCooldown = (qi: number) => {
      const q = s.bank.questions[qi];
      const cooldown = q?.cooldownDays ?? s.bank.cooldownDays;
      return s.asks.some((a) => a.q === qi && (now - Date.parse(minutes(a.at))) / DAY_MS < cooldown);
    };
    const eligible = (qi: number) => {
      const q = s.bank.questions[qi];
      if (!q) return false;
      return (
        !knownFresh(qi) &&
        s.consented.includes(q.purpose) &&
        !inCooldown(qi) &&
        (s.channel === undefined || q.wording[s.channel] !== undefined)
      );
    };
    return { knownFresh, inCooldown, eligible, now: minutes(s.now) };
  }

  it('never returns a question whose fact is known and fresh, nor one whose purpose is not consented, nor one in cooldown', () => {
    fc.assert(
      fc.property(scenarioArb(true), (s) => {
        const { cfg, profile } = build(s);
        const m = model(s);
        const next = nextQuestion(profile, { consentedPurposes: s.consented, channel: s.channel, now: m.now }, cfg.questionBank);
        if (!next) return;
        const qi = Number(next.questionId.slice(1));
        expect(m.knownFresh(qi)).toBe(false);
        expect(s.consented).toContain(next.purpose);
        expect(m.inCooldown(qi)).toBe(false);
        if (s.channel !== undefined) expect(next.wording).toBe(`${s.channel}?`);
      }),
      { numRuns: 200 },
    );
  });

  it('blocks every known-and-fresh and every unconsented question, not just the top one', () => {
    fc.assert(
      fc.property(scenarioArb(true), (s) => {
        const { cfg, profile } = build(s);
        const m = model(s);
        const assessed = assessQuestions(profile, { consentedPurposes: s.consented, channel: s.channel, now: m.now }, cfg.questionBank);
        assessed.forEach((a, i) => {
          expect(a.blockedBy.includes('known')).toBe(m.knownFresh(i));
          expect(a.blockedBy.includes('purpose-not-consented')).toBe(!s.consented.includes(a.question.purpose));
          expect(a.blockedBy.includes('cooldown')).toBe(m.inCooldown(i));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('without prerequisites, returns a most valuable eligible question whenever there is one', () => {
    fc.assert(
      fc.property(scenarioArb(false), (s) => {
        const { cfg, profile } = build(s);
        const m = model(s);
        const next = nextQuestion(profile, { consentedPurposes: s.consented, channel: s.channel, now: m.now }, cfg.questionBank);
        const eligible = s.bank.questions.filter((_, i) => m.eligible(i));
        if (eligible.length === 0) {
          expect(next).toBeUndefined();
          return;
        }
        expect(next).toBeDefined();
        expect(next?.value).toBe(Math.max(...eligible.map((q) => q.value)));
        expect(eligible.map((q) => q.id)).toContain(next?.questionId);
      }),
      { numRuns: 200 },
    );
  });
});

it('treats an answer event without a question id as nothing learned', () => {
  expect(applyEvent(emptyProfile('c-1'), track('Question Answered', { answer: 'x' }), config).skipped[0]?.reason).toBe('unknown-question');
});
