import fc from 'fast-check';
import type { OfferOutcomeDataV1 } from '@o2o/contracts';
import { applyEvent } from './apply-event';
import { deriveCategoryAffinities } from './category-affinity';
import { deriveChannelPreference } from './channel-preference';
import { evidenceOf, isCustomerActivity } from './evidence';
import { emptyProfile, type CategorySignal, type NeedsProfile } from './needs-profile';
import { offerOutcomeEvent } from './offer-outcome';
import { mergeProfiles } from './profile-merge';
import { defaultProfilingConfig } from './profiling-config';
import { nextQuestion } from './question-bank';
import { day, ordered, track, viewed } from './testing/resolved-event.factory';

const config = defaultProfilingConfig;
const customerId = 'c-1';

let sequence = 0;
function outcome(
  kind: OfferOutcomeDataV1['outcome'],
  categories: string[],
  channel: string,
  at: string,
  id = `o-${++sequence}`,
): OfferOutcomeDataV1 {
  return {
    outcomeId: id,
    customerId,
    outcome: kind,
    reportedBy: kind === 'ignored' ? 'platform' : 'channel',
    campaignId: 'camp-1',
    archetypes: [],
    categories,
    channel,
    occurredAt: at,
  };
}

function fold(profile: NeedsProfile, events: Parameters<typeof applyEvent>[1][]): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, config).profile, profile);
}

const affinity = (p: NeedsProfile, category: string) =>
  p.facts.find((f) => f.key === `affinity.category.${category}` && f.kind === 'inferred')?.value;
const preferred = (p: NeedsProfile) => p.facts.find((f) => f.key === 'channel.preferred' && f.kind === 'inferred')?.value;

/** A customer who shows interest in shoes and outdoor alike, on the web and by e-mail alike. */
function baseline(): NeedsProfile {
  return fold(emptyProfile(customerId), [
    viewed('shoes', { at: day(0) }),
    viewed('outdoor', { at: day(0) }),
    viewed('shoes', { at: day(1), channel: 'email' }),
    viewed('outdoor', { at: day(1), channel: 'email' }),
  ]);
}

describe('learning from offer outcomes', () => {
  it('lowers the affinity of a declined offer’s category and raises an accepted one’s', () => {
    const before = baseline();
    expect(affinity(before, 'shoes')).toBe(affinity(before, 'outdoor'));
    const after = fold(before, [
      offerOutcomeEvent(outcome('declined', ['shoes'], 'email', day(2)), config),
      offerOutcomeEvent(outcome('accepted', ['outdoor'], 'email', day(2)), config),
    ]);
    expect(affinity(after, 'shoes') ?? 0).toBeLessThan(affinity(before, 'shoes') as number);
    expect(affinity(after, 'outdoor') as number).toBeGreaterThan(affinity(before, 'outdoor') as number);
  });

  it('moves the channel preference away from a channel whose offers are ignored, toward one where they are accepted', () => {
    const uses = (email: number, web: number) => [
      ...Array.from({ length: email }, () => track('Email Opened', {}, { at: day(0), channel: 'email' })),
      ...Array.from({ length: web }, () => track('Product Viewed', {}, { at: day(0) })),
    ];
    const emailFirst = fold(emptyProfile(customerId), uses(3, 2));
    expect(preferred(emailFirst)).toBe('email');
    expect(
      preferred(
        fold(
          emailFirst,
          [1, 2, 3].map((i) => offerOutcomeEvent(outcome('ignored', [], 'email', day(i)), config)),
        ),
      ),
    ).toBe('web');
    const webFirst = fold(emptyProfile(customerId), uses(2, 3));
    expect(preferred(webFirst)).toBe('web');
    expect(preferred(fold(webFirst, [offerOutcomeEvent(outcome('accepted', [], 'email', day(1)), config)]))).toBe('email');
  });

  it('is not activity: an ignored offer neither wakes a dormant customer nor counts as a use of the channel', () => {
    const event = offerOutcomeEvent(outcome('ignored', ['shoes'], 'email', day(5)), config);
    expect(isCustomerActivity(event, config)).toBe(false);
    const after = fold(baseline(), [event]);
    expect(after.activity.lastActivityAt).toBe(baseline().activity.lastActivityAt);
    expect(evidenceOf(event, config).channels.map((c) => c.weight)).toEqual([config.outcomes.channelWeights.ignored]);
  });

  it('decays: a decline long ago weighs less than the same decline yesterday', () => {
    const views = [viewed('shoes', { at: day(190) }), viewed('outdoor', { at: day(190) }), viewed('books', { at: day(200) })];
    const old = fold(emptyProfile(customerId), [...views, offerOutcomeEvent(outcome('declined', ['shoes'], 'web', day(2), 'old'), config)]);
    const fresh = fold(emptyProfile(customerId), [
      ...views,
      offerOutcomeEvent(outcome('declined', ['shoes'], 'web', day(199), 'fresh'), config),
    ]);
    // Both profiles are read at day 200; only the decline's age differs.
    expect(old.clock).toBe(fresh.clock);
    expect((affinity(old, 'shoes') as number | undefined) ?? 0).toBeGreaterThan((affinity(fresh, 'shoes') as number | undefined) ?? 0);
  });

  it('changes nothing twice: a redelivered outcome is the same event', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('presented', 'accepted', 'declined', 'ignored' as const),
        fc.subarray(['shoes', 'outdoor', 'books']),
        fc.constantFrom('email', 'web', 'sms'),
        (kind, categories, channel) => {
          const o = outcome(kind, categories, channel, day(3), 'same');
          const once = fold(baseline(), [offerOutcomeEvent(o, config)]);
          const twice = applyEvent(once, offerOutcomeEvent(o, config), config);
          expect(twice.changes).toEqual([]);
        },
      ),
    );
  });

  it('declines and ignores never raise, acceptances never lower, any category affinity (any evidence before)', () => {
    const signal = fc.record({
      category: fc.constantFrom('shoes', 'outdoor', 'books', 'toys'),
      days: fc.integer({ min: 0, max: 60 }),
      weight: fc.constantFrom(1, 3, 5),
    });
    fc.assert(
      fc.property(
        fc.array(signal, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('accepted', 'declined', 'ignored' as const),
        fc.constantFrom('shoes', 'outdoor', 'books', 'toys'),
        (signals, kind, target) => {
          const asOf = day(61);
          const base: CategorySignal[] = signals.map((s, i) => ({
            id: `s${i}`,
            eventId: `s${i}`,
            at: day(s.days),
            channel: 'web',
            category: s.category,
            weight: s.weight,
          }));
          const o = offerOutcomeEvent(outcome(kind, [target], 'web', asOf, 'x'), config);
          const learned = [...base, ...evidenceOf(o, config).categories];
          // Unfiltered shares (no top-N cut, no minimum share), so the comparison is exact.
          const all = { ...config.affinity, maxCategories: 100, minShare: 0 };
          const share = (list: typeof base) =>
            (deriveCategoryAffinities(list, asOf, all).find((f) => f.key === `affinity.category.${target}`)?.value as number | undefined) ??
            0;
          if (kind === 'accepted') expect(share(learned)).toBeGreaterThanOrEqual(share(base));
          else expect(share(learned)).toBeLessThanOrEqual(share(base));
        },
      ),
    );
  });

  it('keeps the channel preference unchanged when outcomes weigh nothing (the old behaviour)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ channel: fc.constantFrom('web', 'email', 'app'), days: fc.integer({ min: 0, max: 60 }) }), { maxLength: 30 }),
        (uses) => {
          const signals = uses.map((u, i) => ({ id: `u${i}`, at: day(u.days), channel: u.channel }));
          const weighted = signals.map((s) => ({ ...s, weight: 1 }));
          expect(deriveChannelPreference(weighted, day(61), config.channelPreference)).toEqual(
            deriveChannelPreference(signals, day(61), config.channelPreference),
          );
        },
      ),
    );
  });

  it('merges what two profiles learned from outcomes, whichever side survives', () => {
    const a = fold(baseline(), [offerOutcomeEvent(outcome('declined', ['shoes'], 'email', day(2), 'a1'), config)]);
    const b = fold({ ...emptyProfile('c-2') }, [
      ordered({ categories: ['outdoor'] }, { at: day(1), customerId: 'c-2' }),
      offerOutcomeEvent({ ...outcome('accepted', ['outdoor'], 'web', day(3), 'b1'), customerId: 'c-2' }, config),
    ]);
    const ab = mergeProfiles(a, b, config).profile;
    const ba = mergeProfiles({ ...b, customerId: 'c-1' }, { ...a, customerId: 'c-2' }, config).profile;
    expect(new Set(ba.evidence.categories.map((c) => c.id))).toEqual(new Set(ab.evidence.categories.map((c) => c.id)));
    const ids = ab.evidence.categories.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['outcome:a1#shoes', 'outcome:b1#outdoor']));
  });
});

describe('declined questions', () => {
  const declined = (questionId: string, at: string) =>
    track('Question Declined', { questionId, reason: 'prefers not to say' }, { at, channel: 'call-centre' });
  const context = (now: string) => ({ channel: 'web', consentedPurposes: ['contact', 'personalisation', 'service'], now });

  it('are not asked again for the decline cooldown, on any channel, then may be', () => {
    const profile = fold(emptyProfile(customerId), [declined('contact-preferred-channel', day(0))]);
    expect(profile.declined?.map((d) => d.questionId)).toEqual(['contact-preferred-channel']);
    const cooldown = config.questionBank.declineCooldownDays;
    expect(nextQuestion(profile, context(day(cooldown - 1)), config.questionBank)?.questionId).not.toBe('contact-preferred-channel');
    expect(nextQuestion(profile, context(day(cooldown)), config.questionBank)?.questionId).toBe('contact-preferred-channel');
  });

  it('holds whatever the order and repetition of askings and declines (a max register)', () => {
    const events = fc.array(fc.record({ kind: fc.constantFrom('asked', 'declined'), days: fc.integer({ min: 0, max: 200 }) }), {
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(events, (list) => {
        const built = list.map((e, i) =>
          e.kind === 'declined'
            ? declined('household-children', day(e.days))
            : track('Question Asked', { questionId: 'household-children' }, { at: day(e.days), id: `a${i}` }),
        );
        const forward = fold(emptyProfile(customerId), built);
        const backward = fold(emptyProfile(customerId), [...built].reverse());
        expect(forward.declined).toEqual(backward.declined);
        const lastDecline = Math.max(-1, ...list.filter((e) => e.kind === 'declined').map((e) => e.days));
        const now = day(201);
        const blocked =
          nextQuestion(forward, { ...context(now), consentedPurposes: ['personalisation'] }, config.questionBank)?.questionId !==
          'household-children';
        const withinDecline = lastDecline >= 0 && 201 - lastDecline < config.questionBank.declineCooldownDays;
        const withinAsk = 201 - Math.max(...list.map((e) => e.days)) < config.questionBank.cooldownDays;
        expect(blocked).toBe(withinDecline || withinAsk);
      }),
    );
  });
});
