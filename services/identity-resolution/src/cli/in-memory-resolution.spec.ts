import { initialMatchParameters, prepareRecord, scorePair } from '../matching/domain';
import { StoredTermFrequencies } from '../resolution/domain/identity-graph.model';
import { personalTraitsOf } from '../resolution/domain/personal-traits.extractor';
import { identifyEventOf } from './identity-record';
import { InMemoryResolution } from './in-memory-resolution';

describe('InMemoryResolution', () => {
  it('says where a record is now: with the identifiers re-resolution moved, not where it was first answered', () => {
    // Two strangers sharing a first name and a birth date.
    const tippins = {
      recordId: 'tippins',
      traits: {
        firstName: 'Georgia',
        lastName: 'Tippins',
        birthday: '1938-01-28',
        address: { street: '9 Hawdon Street', city: 'Southern Cross', postalCode: '2151' },
      },
    };
    const dudek = {
      recordId: 'dudek',
      traits: {
        firstName: 'Georgia',
        lastName: 'Dudek',
        birthday: '1938-01-28',
        address: { street: 'Wattle Street', city: 'Ringwood', postalCode: '3134', state: 'NSW' },
      },
    };
    const initial = initialMatchParameters('initial');
    const prepared = (record: typeof tippins) => {
      const traits = personalTraitsOf(identifyEventOf(record).data);
      if (traits === undefined) throw new Error('no personal traits');
      return prepareRecord(record.recordId, traits);
    };
    const score = scorePair(prepared(tippins), prepared(dudek), initial, new StoredTermFrequencies(new Map(), new Map())).totalWeight;
    // Parameters that link them, as early estimates on few records did; then ones that do not.
    const resolution = new InMemoryResolution({
      parameters: { ...initial, version: 'lax', thresholds: { autoMerge: score - 1, review: score - 2 } },
    });
    const first = resolution.resolve(identifyEventOf(tippins));
    const second = resolution.resolve(identifyEventOf(dudek));
    expect(second).toBe(first);
    resolution.parameters = { ...initial, version: 'strict', thresholds: { autoMerge: score + 1, review: score - 1 } };
    resolution.rematchAll('2025-02-01T00:00:00.000Z');
    expect(resolution.moves).toBe(1);
    const holder = (record: typeof tippins) =>
      resolution.holderOf({ type: 'anonymousId', value: String(identifyEventOf(record).data.anonymousId) });
    expect(holder(tippins)).toBe(resolution.current(first ?? ''));
    expect(holder(dudek)).not.toBe(holder(tippins));
    // The answer given at arrival, merges followed, still names the customer it left.
    expect(resolution.current(second ?? '')).toBe(holder(tippins));
  });
});
