import fc from 'fast-check';
import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { applyEvent, CustomerMismatchError } from './apply-event';
import { sameJson } from './canonical-json';
import { emptyProfile, type NeedsProfile } from './needs-profile';
import { parseProfilingConfig, defaultProfilingConfig, type ProfilingConfig } from './profiling-config';
import { historyAndPermutationArb, historyArb, minutesAfterT0 } from './testing/event.arbitraries';
import { knowledge } from './testing/profile-knowledge';
import { answered, asked, day, identify, ordered, track, viewed } from './testing/resolved-event.factory';

// Small evidence bounds so that the properties also cover truncation of the bounded sets.
const tight = parseProfilingConfig({
  evidenceLimits: { categories: 4, purchases: 4, channels: 5, engagement: 5 },
  explicit: { historyPerKey: 1 },
});

function fold(
  events: readonly ResolvedEventDataV1[],
  config: ProfilingConfig = tight,
  start: NeedsProfile = emptyProfile('c-1'),
): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, config).profile, start);
}

describe('applyEvent', () => {
  it('is idempotent: applying an event twice changes nothing the second time', () => {
    fc.assert(
      fc.property(historyArb('c-1', { minLength: 1 }), (events) => {
        const before = fold(events.slice(0, -1));
        const last = events[events.length - 1];
        if (!last) return;
        const once = applyEvent(before, last, tight);
        const twice = applyEvent(once.profile, last, tight);
        expect(twice.profile).toEqual(once.profile);
        expect(twice.changes).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('ignores a redelivery of any earlier event, however late', () => {
    fc.assert(
      fc.property(historyArb('c-1', { minLength: 1 }), fc.nat(), (events, pick) => {
        const profile = fold(events);
        const redelivered = events[pick % events.length];
        if (!redelivered) return;
        const result = applyEvent(profile, redelivered, tight);
        expect(result.changes).toEqual([]);
        expect(result.profile).toEqual(profile);
      }),
      { numRuns: 150 },
    );
  });

  it('reports changes exactly when the profile changed', () => {
    fc.assert(
      fc.property(historyArb('c-1', { minLength: 1 }), (events) => {
        let profile = emptyProfile('c-1');
        for (const event of events) {
          const result = applyEvent(profile, event, tight);
          expect(result.changes.length === 0).toBe(sameJson(result.profile, profile));
          profile = result.profile;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('reaches the same knowledge whatever order the events arrive in', () => {
    fc.assert(
      fc.property(historyAndPermutationArb(), ([events, shuffled]) => {
        expect(knowledge(fold(shuffled))).toEqual(knowledge(fold(events)));
      }),
      { numRuns: 150 },
    );
  });

  it('ends with the same facts for any permutation of explicit answers given at distinct times', () => {
    const answerArb = fc.oneof(
      fc.record({ questionId: fc.constant('work-location'), answer: fc.constantFrom('home', 'office', 'hybrid', 'on-the-road') }),
      fc.record({ questionId: fc.constant('household-children'), answer: fc.constantFrom(true, false, null) }),
      fc.record({ questionId: fc.constant('contact-preferred-channel'), answer: fc.constantFrom('email', 'sms', 'phone', 'post') }),
    );
    const historyArbitrary = fc
      .uniqueArray(fc.integer({ min: 0, max: 400 * 24 * 60 }), { minLength: 1, maxLength: 12 })
      .chain((times) => fc.tuple(fc.constant(times), fc.array(answerArb, { minLength: times.length, maxLength: times.length })))
      .map(([times, picks]) =>
        picks.map(({ questionId, answer }, i) => answered(questionId, answer, { id: `a${i}`, at: minutesAfterT0(times[i] ?? 0) })),
      )
      .chain((events) =>
        fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
      );

    fc.assert(
      fc.property(historyArbitrary, ([events, shuffled]) => {
        const a = fold(events, defaultProfilingConfig);
        const b = fold(shuffled, defaultProfilingConfig);
        expect(b.facts).toEqual(a.facts);
        // And the model: each fact holds the answer given last.
        for (const fact of a.facts.filter((f) => f.kind === 'explicit')) {
          const latest = events
            .map((e) => ({ e, at: Date.parse(e.timestamp) }))
            .filter(
              ({ e }) =>
                fact.key === defaultProfilingConfig.questionBank.questions.find((q) => q.id === e.properties?.['questionId'])?.factKey,
            )
            .sort((x, y) => y.at - x.at)[0];
          expect(fact.sourceEventId).toBe(latest?.e.messageId);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses an event of another customer, but accepts one of a customer merged into this one', () => {
    expect(() => applyEvent(emptyProfile('c-1'), viewed('shoes', { customerId: 'c-2' }), tight)).toThrow(CustomerMismatchError);
    const merged: NeedsProfile = { ...emptyProfile('c-1'), mergedIds: ['c-2'] };
    expect(applyEvent(merged, viewed('shoes', { customerId: 'c-2' }), tight).changes.length).toBeGreaterThan(0);
  });

  it('builds a multi-channel profile end to end', () => {
    const p = fold(
      [
        identify({ workLocation: 'home', email: 'ann@example.com' }, { at: day(0), channel: 'web', id: 'i1' }),
        viewed('Home Office', { at: day(1), channel: 'app' }),
        viewed('Home Office', { at: day(2), channel: 'app' }),
        ordered({ categories: ['Home Office'], coupon: 'WELCOME' }, { at: day(3), channel: 'store', id: 'o1' }),
        answered('household-children', true, { at: day(4), channel: 'call-centre', id: 'a1' }),
      ],
      defaultProfilingConfig,
    );
    expect(p.facts.filter((f) => f.kind === 'explicit').map((f) => [f.key, f.value, f.channel])).toEqual([
      ['household.children', true, 'call-centre'],
      ['work.location', 'home', 'web'],
    ]);
    expect(p.facts.find((f) => f.key === 'affinity.category.home-office')).toMatchObject({ kind: 'inferred', value: 1 });
    expect(p.archetypes).toEqual(['family-with-children', 'works-from-home']);
    expect(p.stage.current).toBe('purchase');
    expect(p.activity).toEqual({ firstSeenAt: day(0), lastActivityAt: day(4), firstPurchaseAt: day(3) });
  });

  describe('bounded customers: the asked-question memory', () => {
    const bankSize = defaultProfilingConfig.questionBank.questions.length;
    const kept = bankSize + 2;
    const bounded = parseProfilingConfig({ questionBank: { askedKept: kept } });
    // A busy customer: a channel asks three times as many distinct questions as are kept, a day apart.
    const askings = Array.from({ length: kept * 3 }, (_, i) =>
      asked(`channel-question-${String(i).padStart(3, '0')}`, { at: day(i), id: `ask-${i}` }),
    );

    it('keeps the most recently asked questions up to questionBank.askedKept and reports the limit when it drops one', () => {
      let profile = emptyProfile('c-1');
      const limited: number[] = [];
      askings.forEach((event, i) => {
        const result = applyEvent(profile, event, bounded);
        if (result.limits.includes('asked-questions')) limited.push(i);
        profile = result.profile;
      });
      expect(profile.asked).toHaveLength(kept);
      expect(profile.asked.map((a) => a.sourceEventId).sort()).toEqual(
        askings
          .slice(-kept)
          .map((e) => e.messageId)
          .sort(),
      );
      // The bound applies from the first asking past it, and only then.
      expect(limited).toEqual(Array.from({ length: askings.length - kept }, (_, i) => kept + i));
      expect(applyEvent(profile, askings[0] ?? asked('x'), bounded)).toMatchObject({ changes: [], limits: ['asked-questions'] });
    });

    it('keeps the same questions whatever order the askings arrive in', () => {
      const expected = fold(askings, bounded).asked;
      fc.assert(
        fc.property(fc.shuffledSubarray(askings, { minLength: askings.length, maxLength: askings.length }), (shuffled) => {
          expect(fold(shuffled, bounded).asked).toEqual(expected);
        }),
        { numRuns: 50 },
      );
    });

    it('bounds declines the same way and reports them apart', () => {
      const declines = askings.map((e, i) =>
        track('Question Declined', { questionId: `channel-question-${i}` }, { at: e.timestamp, id: `decline-${i}` }),
      );
      let profile = emptyProfile('c-1');
      const limits = new Set<string>();
      for (const event of declines) {
        const result = applyEvent(profile, event, bounded);
        for (const limit of result.limits) limits.add(limit);
        profile = result.profile;
      }
      expect(profile.declined).toHaveLength(kept);
      expect(profile.asked).toHaveLength(kept);
      expect([...limits].sort()).toEqual(['asked-questions', 'declined-questions']);
    });

    it('reports a fact key refused beyond explicit.maxFacts as a limit', () => {
      const few = parseProfilingConfig({
        explicit: {
          maxFacts: 2,
          attributes: { a: { key: 'a', purpose: 'p' }, b: { key: 'b', purpose: 'p' }, c: { key: 'c', purpose: 'p' } },
        },
      });
      const result = applyEvent(emptyProfile('c-1'), identify({ a: 1, b: 2, c: 3 }), few);
      expect(result.profile.facts.map((f) => f.key)).toEqual(['a', 'b']);
      expect(result.limits).toEqual(['fact-keys']);
    });

    it('refuses a memory smaller than the question bank', () => {
      expect(() => parseProfilingConfig({ questionBank: { askedKept: bankSize - 1 } })).toThrow(
        /questionBank\.askedKept: must be at least the number of questions in the bank/,
      );
    });
  });
});
