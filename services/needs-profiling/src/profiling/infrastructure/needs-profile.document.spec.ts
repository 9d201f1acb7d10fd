import type { ResolvedEventDataV1 } from '@o2o/contracts';
import fc from 'fast-check';
import { applyEvent, consentedPurposesOf, defaultProfilingConfig, emptyProfile, toPublishedProfile, type NeedsProfile } from '../domain';
import { historyArb } from '../domain/testing/event.arbitraries';
import { answered, day, preferences, track } from '../domain/testing/resolved-event.factory';
import { journalEntryOf } from '../application/event-journal';
import {
  fromDocument,
  journalText,
  NeedsProfileDocument,
  PROFILE_CONTENT_FIELDS,
  profileFields,
  publishedFields,
} from './needs-profile.document';

const config = defaultProfilingConfig;
const updatedAt = new Date('2026-12-04T10:00:00.000Z');

function fold(events: readonly ResolvedEventDataV1[], customerId = 'c-1'): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, config).profile, emptyProfile(customerId));
}

const history = [
  preferences({}, { contact: true, personalisation: true }, { at: day(0) }),
  track('Product Viewed', { product_id: 'desk-1', category: 'Home Office' }, { at: day(1), channel: 'app' }),
  answered('contact-preferred-channel', 'email', { at: day(2), channel: 'call-centre' }),
  track(
    'Order Completed',
    { order_id: 'o-1', total: 120, products: [{ product_id: 'desk-1', category: 'Home Office' }] },
    { at: day(3), channel: 'store' },
  ),
];

/** The same content in the form this release writes and in the nested form earlier releases wrote. */
function bothForms(events: readonly ResolvedEventDataV1[]) {
  const profile = fold(events);
  const published = toPublishedProfile(profile, config, { consentedPurposes: consentedPurposesOf(profile) });
  const journal = events.map((e) => journalEntryOf(e, config.explicit.neverStore));
  const common = { _id: 'c-1', version: 4, writeId: 'w-1', appliedChanges: ['split-1'], updatedAt };
  const text: NeedsProfileDocument = { ...common, ...profileFields(profile), ...publishedFields(published), journal: journalText(journal) };
  const nested: NeedsProfileDocument = { ...common, profile, published, journal };
  return { profile, published, journal, text, nested };
}

describe('needs profile document', () => {
  it('stores profile, publication and journal entries as JSON text, with the stage beside them as a field', () => {
    const { profile, text } = bothForms(history);
    expect(typeof text.profileJson).toBe('string');
    expect(typeof text.publishedJson).toBe('string');
    expect(text.journal?.every((e) => typeof e === 'string')).toBe(true);
    expect(text.stage).toBe(profile.stage.current);
    expect(text.stage).not.toBe(emptyProfile('c-1').stage.current);
    expect(text.profile).toBeUndefined();
    expect(text.published).toBeUndefined();
  });

  it('reads back what was written, with the other fields as they were', () => {
    const { profile, published, journal, text } = bothForms(history);
    expect(fromDocument(text)).toEqual({
      _id: 'c-1',
      version: 4,
      writeId: 'w-1',
      appliedChanges: ['split-1'],
      updatedAt,
      profile,
      published,
      journal,
    });
  });

  it('reads documents written in the nested form as the same profile', () => {
    const { text, nested } = bothForms(history);
    expect(fromDocument(nested)).toEqual(fromDocument(text));
  });

  it('prefers the text form where a document holds both, and reads each part in whichever form it has', () => {
    const { profile, published, text, nested } = bothForms(history);
    // markPublished on a nested document: the publication is text, the profile still nested.
    const { profileJson: _p, stage: _s, ...withoutProfile } = text;
    expect(fromDocument({ ...withoutProfile, profile })).toMatchObject({ profile, published });
    const stale = { ...nested.published, stage: 'lost' } as NeedsProfileDocument['published'];
    expect(fromDocument({ ...text, published: stale }).published).toEqual(published);
  });

  it('reads a journal whose older entries are objects and newer ones text, in order', () => {
    const { journal } = bothForms(history);
    const [first, second, ...rest] = journal;
    if (!first || !second) throw new Error('history too short');
    const mixed: NeedsProfileDocument = { _id: 'c-1', version: 2, journal: [first, second, ...journalText(rest)] };
    expect(fromDocument(mixed).journal).toEqual(journal);
  });

  it('reads documents without a profile: merge pointers, stubs, reads without the journal', () => {
    expect(fromDocument({ _id: 'c-2', version: 3, mergedInto: 'c-1', tombstonePending: true })).toEqual({
      _id: 'c-2',
      version: 3,
      mergedInto: 'c-1',
      tombstonePending: true,
    });
    expect(fromDocument({ _id: 'c-3', version: 0 })).toEqual({ _id: 'c-3', version: 0 });
    const { text } = bothForms(history);
    const { journal: _journal, ...projected } = text;
    expect('journal' in fromDocument(projected)).toBe(false);
  });

  it('a merge unsets every content field of both forms', () => {
    const { text, nested } = bothForms(history);
    const content = (d: NeedsProfileDocument) =>
      Object.keys(d).filter((k) => !['_id', 'version', 'writeId', 'appliedChanges', 'updatedAt'].includes(k));
    for (const field of [...content(text), ...content(nested)]) expect(Object.keys(PROFILE_CONTENT_FIELDS)).toContain(field);
  });

  it('round-trips any history in either form', () => {
    fc.assert(
      fc.property(historyArb(), (events) => {
        const { profile, published, journal, text, nested } = bothForms(events);
        const read = fromDocument(text);
        expect(read).toMatchObject({ profile, published, journal });
        expect(fromDocument(nested)).toEqual(read);
        expect(text.stage).toBe(profile.stage.current);
      }),
      { numRuns: 50 },
    );
  });
});

describe('publishedFields', () => {
  it('stores the payload’s JSON text, computed for each payload object (a changed copy gets its own)', () => {
    const profile = fold(history);
    const published = toPublishedProfile(profile, config, { consentedPurposes: consentedPurposesOf(profile) });
    expect(publishedFields(published).publishedJson).toBe(JSON.stringify(published));
    // Asked twice for the same object: the same text.
    expect(publishedFields(published).publishedJson).toBe(JSON.stringify(published));

    const changed = { ...published, stage: 'lost' as const, facts: published.facts.slice(1) };
    const text = publishedFields(changed).publishedJson;
    expect(text).toBe(JSON.stringify(changed));
    expect(text).not.toBe(publishedFields(published).publishedJson);
    expect(fromDocument({ _id: 'c-1', version: 1, publishedJson: text }).published).toEqual(changed);
  });
});
