import fc from 'fast-check';
import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { applyEvent } from './apply-event';
import { emptyProfile, explicitFact, type NeedsProfile } from './needs-profile';
import { mergeProfiles } from './profile-merge';
import { parseProfilingConfig, type ProfilingConfig } from './profiling-config';
import { historyArb } from './testing/event.arbitraries';
import { knowledge } from './testing/profile-knowledge';
import { answered, asked, day, identify, ordered, viewed } from './testing/resolved-event.factory';

const tight = parseProfilingConfig({
  evidenceLimits: { categories: 4, purchases: 4, channels: 5, engagement: 5 },
  explicit: { historyPerKey: 1 },
});

function fold(customerId: string, events: readonly ResolvedEventDataV1[], config: ProfilingConfig = tight): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, config).profile, emptyProfile(customerId));
}

describe('mergeProfiles', () => {
  const a = fold('c-a', [
    answered('work-location', 'office', { id: 'a1', at: day(1), customerId: 'c-a' }),
    ordered({}, { id: 'a2', at: day(2), customerId: 'c-a' }),
  ]);
  const b = fold('c-b', [
    identify({ workLocation: 'home', hasChildren: true }, { id: 'b1', at: day(5), customerId: 'c-b', channel: 'store' }),
    ordered({}, { id: 'b2', at: day(6), customerId: 'c-b' }),
    asked('travel-frequency', { id: 'b3', at: day(6), customerId: 'c-b' }),
  ]);

  it('keeps the newest explicit fact and the older one as evidence', () => {
    const { profile } = mergeProfiles(a, b, tight);
    expect(explicitFact(profile, 'work.location')).toMatchObject({ value: 'home', sourceEventId: 'b1', channel: 'store' });
    expect(profile.factHistory).toEqual([expect.objectContaining({ key: 'work.location', value: 'office', sourceEventId: 'a1' })]);
    expect(explicitFact(profile, 'household.children')?.value).toBe(true);
  });

  it('unites the evidence, so the stage reflects both customers', () => {
    const { profile } = mergeProfiles(a, b, tight);
    expect(profile.evidence.purchases.map((p) => p.id).sort()).toEqual(['a2', 'b2']);
    expect(profile.stage.current).toBe('connection');
    expect(profile.stage.transitions.at(-1)).toMatchObject({ from: 'purchase', to: 'connection', cause: 'merge' });
    expect(profile.asked).toEqual([expect.objectContaining({ questionId: 'travel-frequency', at: day(6) })]);
    expect(profile.activity).toEqual({ firstSeenAt: day(1), lastActivityAt: day(6), firstPurchaseAt: day(2) });
  });

  it('keeps the survivor id and remembers the merged ones', () => {
    const c = { ...emptyProfile('c-c'), mergedIds: ['c-d'] };
    const { profile, changes } = mergeProfiles(a, c, tight);
    expect(profile.customerId).toBe('c-a');
    expect(profile.mergedIds).toEqual(['c-c', 'c-d']);
    expect(changes).toContainEqual({ type: 'customers-merged', mergedIds: ['c-c', 'c-d'] });
  });

  it("is the same as having seen both customers' events as one customer", () => {
    fc.assert(
      fc.property(historyArb('c-a', { idPrefix: 'a' }), historyArb('c-b', { idPrefix: 'b' }), (eventsA, eventsB) => {
        const merged = mergeProfiles(fold('c-a', eventsA), fold('c-b', eventsB), tight).profile;
        const asOne = fold('c-a', [...eventsA, ...eventsB.map((e) => ({ ...e, customerId: 'c-a' }))]);
        expect(knowledge(merged)).toEqual(knowledge(asOne));
      }),
      { numRuns: 100 },
    );
  });

  it('knows the same whichever side survives, and merging twice changes nothing', () => {
    fc.assert(
      fc.property(
        historyArb('c-a', { idPrefix: 'a', maxLength: 15 }),
        historyArb('c-b', { idPrefix: 'b', maxLength: 15 }),
        (eventsA, eventsB) => {
          const pa = fold('c-a', eventsA);
          const pb = fold('c-b', eventsB);
          const ab = mergeProfiles(pa, pb, tight).profile;
          expect(knowledge(mergeProfiles(pb, pa, tight).profile)).toEqual(knowledge(ab));
          const again = mergeProfiles(ab, pb, tight);
          expect(again.profile).toEqual(ab);
          expect(again.changes).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('merging an empty profile changes only the list of merged customers', () => {
    const { changes } = mergeProfiles(a, emptyProfile('c-z'), tight);
    expect(changes.map((c) => c.type)).toEqual(['customers-merged']);
  });

  it('later events of the merged customer land on the survivor', () => {
    const { profile } = mergeProfiles(a, b, tight);
    const next = applyEvent(profile, viewed('shoes', { id: 'late', at: day(7), customerId: 'c-b' }), tight);
    expect(next.profile.evidence.categories.map((c) => c.eventId)).toContain('late');
  });
});
