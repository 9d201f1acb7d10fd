import { sameJson } from './canonical-json';
import { emptyProfile, type EngagementSignal, type NeedsProfile } from './needs-profile';
import { diffProfiles } from './profile-changes';
import { day } from './testing/resolved-event.factory';

const viewed = (id: string, days: number): EngagementSignal => ({ id, at: day(days), event: 'Product Viewed' });

function withEngagement(profile: NeedsProfile, engagement: EngagementSignal[]): NeedsProfile {
  return { ...profile, evidence: { ...profile.evidence, engagement } };
}

describe('diffProfiles on evidence', () => {
  const before = withEngagement(emptyProfile('c-1'), [viewed('e2', 2), viewed('e1', 1)]);

  it('lists nothing for sets holding the same ids, copied or not', () => {
    expect(diffProfiles(before, withEngagement(before, [...before.evidence.engagement]))).toEqual([]);
    expect(diffProfiles(before, before)).toEqual([]);
  });

  it('lists an item replaced by another in a set of the same size as recorded and dropped', () => {
    const after = withEngagement(before, [viewed('e3', 3), viewed('e2', 2)]);
    expect(diffProfiles(before, after)).toEqual([
      { type: 'evidence-recorded', kind: 'engagement', ids: ['e3'] },
      { type: 'evidence-dropped', kind: 'engagement', ids: ['e1'] },
    ]);
  });

  it('lists an added item', () => {
    const after = withEngagement(before, [viewed('e3', 3), ...before.evidence.engagement]);
    expect(diffProfiles(before, after)).toEqual([{ type: 'evidence-recorded', kind: 'engagement', ids: ['e3'] }]);
  });
});

describe('diffProfiles on activity and stage', () => {
  const before: NeedsProfile = { ...emptyProfile('c-1'), activity: { firstSeenAt: day(1), lastActivityAt: day(2) } };

  it('lists the activity only when a register moved', () => {
    expect(diffProfiles(before, { ...before, activity: { lastActivityAt: day(2), firstSeenAt: day(1) } })).toEqual([]);
    const moved = { ...before.activity, lastActivityAt: day(3) };
    expect(diffProfiles(before, { ...before, activity: moved })).toEqual([
      { type: 'activity-recorded', before: before.activity, after: moved },
    ]);
    const purchased = { ...before.activity, firstPurchaseAt: day(2) };
    expect(diffProfiles(before, { ...before, activity: purchased })).toHaveLength(1);
  });

  it('lists a new transition, else a new reason, else nothing', () => {
    const transition = {
      from: 'prospecting' as const,
      to: 'consideration' as const,
      reason: 'browsing',
      at: day(2),
      cause: 'event' as const,
    };
    const moved = { ...before, stage: { current: 'consideration' as const, reason: 'browsing', transitions: [transition] } };
    expect(diffProfiles(before, moved)).toEqual([{ type: 'stage-changed', transition }]);
    const reasoned = { ...moved, stage: { ...moved.stage, reason: 'still browsing' } };
    expect(diffProfiles(moved, reasoned)).toEqual([{ type: 'stage-reason-updated', reason: 'still browsing' }]);
    expect(diffProfiles(moved, { ...moved, stage: { ...moved.stage, transitions: [{ ...transition }] } })).toEqual([]);
  });
});

describe('sameJson', () => {
  it('holds for one object, for equal objects in another key order, and not for different ones', () => {
    const activity = { firstSeenAt: day(1), lastActivityAt: day(2) };
    expect(sameJson(activity, activity)).toBe(true);
    expect(sameJson(activity, { lastActivityAt: day(2), firstSeenAt: day(1) })).toBe(true);
    expect(sameJson(activity, { ...activity, lastActivityAt: day(3) })).toBe(false);
    expect(sameJson(undefined, undefined)).toBe(true);
    expect(sameJson(undefined, null)).toBe(false);
  });
});
