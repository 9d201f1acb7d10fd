import { needsProfiledDataV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import fc from 'fast-check';
import { applyEvent } from './apply-event';
import { emptyProfile, type NeedsProfile } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';
import { consentedPurposesOf, toPublishedProfile } from './published-profile.mapper';
import { historyArb } from './testing/event.arbitraries';
import { answered, day, ordered, preferences, track } from './testing/resolved-event.factory';

const config = defaultProfilingConfig;
const fold = (events: ResolvedEventDataV1[]): NeedsProfile =>
  events.reduce((p, e) => applyEvent(p, e, config).profile, emptyProfile('c-1'));

describe('toPublishedProfile', () => {
  it('always produces a valid needs-profiled payload', () => {
    fc.assert(
      fc.property(historyArb(), fc.subarray(['contact', 'personalisation', 'service']), (events, consented) => {
        const published = toPublishedProfile(fold(events), config, { consentedPurposes: consented, now: day(600) });
        expect(needsProfiledDataV1.safeParse(published).success).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("publishes one fact per key, the customer's word over our inference", () => {
    const cfg = { ...config, channelPreference: { ...config.channelPreference, key: 'contact.preferredChannel' } };
    const events = [
      track('Product Viewed', {}, { at: day(0), channel: 'app' }),
      track('Product Viewed', {}, { at: day(0), channel: 'app' }),
      track('Product Viewed', {}, { at: day(0), channel: 'app' }),
      answered('contact-preferred-channel', 'email', { at: day(1), id: 'said' }),
    ];
    const profile = events.reduce((p, e) => applyEvent(p, e, cfg).profile, emptyProfile('c-1'));
    expect(profile.facts.filter((f) => f.key === 'contact.preferredChannel').map((f) => f.kind)).toEqual(['explicit', 'inferred']);
    const published = toPublishedProfile(profile, cfg, { consentedPurposes: [], now: day(2) });
    expect(published.facts.filter((f) => f.key === 'contact.preferredChannel')).toEqual([
      {
        key: 'contact.preferredChannel',
        value: 'email',
        kind: 'explicit',
        channel: 'web',
        purpose: 'contact',
        confidence: 1,
        observedAt: day(1),
        sourceEventId: 'said',
      },
    ]);
  });

  it('carries the stage with its reason, the next consented question and what is still unknown', () => {
    const profile = fold([ordered({}, { at: day(0) }), answered('contact-preferred-channel', 'email', { at: day(1) })]);
    const published = toPublishedProfile(profile, config, { consentedPurposes: ['personalisation'], now: day(2) });
    expect(published).toMatchObject({ customerId: 'c-1', stage: 'purchase', previousStage: 'prospecting', updatedAt: day(1) });
    expect(published.stageReason).toBe(profile.stage.reason);
    expect(published.nextQuestion?.purpose).toBe('personalisation');
    // The question travels with its wording per channel, as the bank words it.
    const question = config.questionBank.questions.find((q) => q.id === published.nextQuestion?.questionId);
    expect(question).toBeDefined();
    expect(published.nextQuestion?.wording).toEqual(question?.wording);
    expect(published.unknown).not.toContain('contact.preferredChannel');
    expect(published.unknown).toContain('household.children');
    expect(toPublishedProfile(profile, config, { consentedPurposes: [], now: day(2) }).nextQuestion).toBeUndefined();
  });

  it("carries the stage's contact guidance from the configuration, so decisions can read it", () => {
    const prospect = toPublishedProfile(fold([track('Product Viewed', {}, { at: day(0) })]), config, {
      consentedPurposes: [],
      now: day(1),
    });
    expect(prospect.stage).toBe('prospecting');
    expect(prospect.stageGuidance).toEqual(config.stageGuidance.prospecting);
    const cfg = {
      ...config,
      stageGuidance: {
        ...config.stageGuidance,
        purchase: { maxContactsPer30Days: 1, minDaysBetweenContacts: 12.5, content: ['say thanks'] },
      },
    };
    const buyer = toPublishedProfile(fold([ordered({}, { at: day(0) })]), cfg, { consentedPurposes: [], now: day(1) });
    expect(buyer.stage).toBe('purchase');
    expect(buyer.stageGuidance).toEqual({ maxContactsPer30Days: 1, minDaysBetweenContacts: 12.5, content: ['say thanks'] });
    expect(needsProfiledDataV1.parse(buyer).stageGuidance?.minDaysBetweenContacts).toBe(12.5);
  });

  it('reads consented purposes from preference-centre choices', () => {
    const profile = fold([
      preferences({}, { contact: true, personalisation: true }, { at: day(0) }),
      preferences({}, { personalisation: false }, { at: day(1) }),
    ]);
    expect(consentedPurposesOf(profile)).toEqual(['contact']);
  });
});
