import { applyEvent } from './apply-event';
import { explicitObservations } from './explicit-facts';
import { emptyProfile, explicitFact, type NeedsProfile } from './needs-profile';
import { defaultProfilingConfig, parseProfilingConfig, type ProfilingConfig } from './profiling-config';
import { answered, day, identify, preferences, track } from './testing/resolved-event.factory';
import type { ResolvedEventDataV1 } from '@o2o/contracts';

const config = defaultProfilingConfig;

function fold(events: ResolvedEventDataV1[], cfg: ProfilingConfig = config): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, cfg).profile, emptyProfile('c-1'));
}

describe('explicit facts from identify traits', () => {
  it('maps traits to facts with the configured purpose, whatever the spelling of the trait name', () => {
    const { observations } = explicitObservations(
      identify({ smoking_room: false, 'Preferred-Contact-Method': 'email' }, { id: 'i1', at: day(1), channel: 'store' }),
      config,
    );
    expect(observations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'room.smoking',
          value: false,
          kind: 'explicit',
          purpose: 'service',
          channel: 'store',
          observedAt: day(1),
          sourceEventId: 'i1',
          confidence: config.explicit.confidence.trait,
        }),
        expect.objectContaining({ key: 'contact.preferredChannel', value: 'email', purpose: 'contact' }),
      ]),
    );
  });

  it('prefers the purpose the event states over the configured one', () => {
    const { observations } = explicitObservations(identify({ newspaper: 'WSJ' }, { context: { purpose: 'service' } }), config);
    expect(observations[0]).toMatchObject({ key: 'reading.newspaper', purpose: 'service' });
  });

  it('falls back to the question bank for the purpose of a mapped trait without one', () => {
    const cfg = parseProfilingConfig({ explicit: { attributes: { kids: { key: 'household.children' } } } });
    const { observations } = explicitObservations(identify({ kids: true }), cfg);
    expect(observations[0]).toMatchObject({ key: 'household.children', purpose: 'personalisation' });
  });

  it('never stores identity data and skips traits nobody declared a purpose for', () => {
    const { observations, skipped } = explicitObservations(identify({ email: 'a@b.c', firstName: 'Ann', shoeSize: 38 }), config);
    expect(observations).toEqual([]);
    expect(skipped).toEqual([{ reason: 'unmapped-attribute', detail: 'shoeSize' }]);
  });

  it('keeps unmapped traits with a stated purpose only when configured to', () => {
    const cfg = parseProfilingConfig({ explicit: { keepUnmappedTraitsWithStatedPurpose: true } });
    const event = identify({ shoeSize: 38, email: 'a@b.c' }, { context: { purpose: 'personalisation' } });
    expect(explicitObservations(event, cfg).observations).toEqual([
      expect.objectContaining({ key: 'trait.shoesize', value: 38, purpose: 'personalisation' }),
    ]);
    expect(explicitObservations(identify({ shoeSize: 38 }), cfg).observations).toEqual([]);
  });

  it('expands list traits into one fact per element', () => {
    const { observations } = explicitObservations(identify({ interests: ['Golf', 'Fine Wine'] }), config);
    expect(observations.map((o) => [o.key, o.value])).toEqual([
      ['interest.golf', true],
      ['interest.fine-wine', true],
    ]);
  });

  it('skips values that cannot be facts', () => {
    const { observations, skipped } = explicitObservations(identify({ newspaper: { name: 'WSJ' }, workLocation: 'x'.repeat(500) }), config);
    expect(observations).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(['unsupported-value', 'unsupported-value']);
  });
});

describe('explicit facts from answers', () => {
  it('fills the fact of the bank question with its purpose, in the option spelling', () => {
    const { observations } = explicitObservations(answered('work-location', ' HOME ', { id: 'a1', channel: 'call-centre' }), config);
    expect(observations).toEqual([
      expect.objectContaining({
        key: 'work.location',
        value: 'home',
        purpose: 'personalisation',
        channel: 'call-centre',
        sourceEventId: 'a1',
        origin: 'answer:work-location',
        confidence: 1,
      }),
    ]);
  });

  it('refuses answers that do not fit the question', () => {
    expect(explicitObservations(answered('work-location', 'moon', {}), config).skipped).toEqual([
      { reason: 'answer-does-not-fit', detail: 'work-location' },
    ]);
    expect(explicitObservations(answered('household-children', 'yes', {}), config).skipped[0]?.reason).toBe('answer-does-not-fit');
    expect(explicitObservations(answered('household-children', ['a'], {}), config).skipped[0]?.reason).toBe('unsupported-value');
  });

  it('records a declined answer as known-to-be-empty', () => {
    expect(explicitObservations(answered('household-children', null, {}), config).observations[0]).toMatchObject({
      key: 'household.children',
      value: null,
    });
  });

  it('accepts an answer outside the bank only when it names its fact and a purpose', () => {
    expect(explicitObservations(answered('ad-hoc', 'red', {}), config).skipped).toEqual([{ reason: 'unknown-question', detail: 'ad-hoc' }]);
    expect(explicitObservations(answered('ad-hoc', 'red', {}, { factKey: 'colour.favourite' }), config).skipped).toEqual([
      { reason: 'no-purpose', detail: 'colour.favourite' },
    ]);
    expect(
      explicitObservations(answered('ad-hoc', 'red', {}, { factKey: 'colour.favourite', purpose: 'personalisation' }), config).observations,
    ).toEqual([expect.objectContaining({ key: 'colour.favourite', value: 'red', purpose: 'personalisation' })]);
  });
});

describe('explicit facts from the preference centre', () => {
  it('records choices and consents', () => {
    const { observations } = explicitObservations(
      preferences({ preferredContactTime: 'evening', newsletterTopics: 'gardening' }, { marketing: true, profiling: false }, { id: 'pc' }),
      config,
    );
    expect(observations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'contact.preferredTime', value: 'evening', purpose: 'contact', origin: 'preference-centre' }),
        expect.objectContaining({
          key: 'preference.newslettertopics',
          value: 'gardening',
          purpose: config.explicit.preferenceCentrePurpose,
        }),
        expect.objectContaining({ key: 'consent.marketing', value: true, purpose: config.explicit.consentPurpose }),
        expect.objectContaining({ key: 'consent.profiling', value: false }),
      ]),
    );
  });

  it('ignores events that state nothing explicit', () => {
    expect(explicitObservations(track('Product Viewed', { category: 'x', workLocation: 'home' }), config).observations).toEqual([]);
  });
});

describe('explicit fact ordering', () => {
  it('never lets an older statement overwrite a newer one, and keeps it as history', () => {
    const newer = identify({ workLocation: 'office' }, { id: 'new', at: day(10) });
    const older = answered('work-location', 'home', { id: 'old', at: day(5) });
    const p = fold([newer, older]);
    expect(explicitFact(p, 'work.location')).toMatchObject({ value: 'office', sourceEventId: 'new' });
    expect(p.factHistory).toEqual([expect.objectContaining({ key: 'work.location', value: 'home', sourceEventId: 'old' })]);
  });

  it('lets a newer statement replace an older one', () => {
    const p = fold([
      answered('work-location', 'home', { id: 'old', at: day(5) }),
      identify({ workLocation: 'office' }, { id: 'new', at: day(10) }),
    ]);
    expect(explicitFact(p, 'work.location')).toMatchObject({ value: 'office', sourceEventId: 'new' });
  });

  it('breaks ties between statements at the same instant by event id, whatever the order', () => {
    const a = answered('work-location', 'home', { id: 'a', at: day(5) });
    const b = answered('work-location', 'office', { id: 'b', at: day(5) });
    expect(explicitFact(fold([a, b]), 'work.location')).toEqual(explicitFact(fold([b, a]), 'work.location'));
    expect(explicitFact(fold([a, b]), 'work.location')?.sourceEventId).toBe('b');
  });

  it('keeps a bounded history per fact', () => {
    const cfg = parseProfilingConfig({ explicit: { historyPerKey: 2 } });
    const p = fold(
      Array.from({ length: 5 }, (_, i) => answered('work-location', i % 2 ? 'home' : 'office', { id: `a${i}`, at: day(i) })),
      cfg,
    );
    expect(p.factHistory.map((f) => f.sourceEventId)).toEqual(['a3', 'a2']);
  });

  it('refuses new fact keys beyond the configured maximum', () => {
    const cfg = parseProfilingConfig({ explicit: { maxFacts: 1 } });
    const result = applyEvent(fold([answered('work-location', 'home', {})], cfg), answered('household-children', true, {}), cfg);
    expect(result.skipped).toEqual([{ reason: 'too-many-facts', detail: 'household.children' }]);
  });
});
