import fc from 'fast-check';
import { emptyProfile, type CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import { applyMembershipChanges, diffMemberships, exitAll, mergeMemberships, withdrawalExits, type Memberships } from './membership.diff';
import { mergeProfiles } from '../../shared-kernel/domain/profile.projection';
import type { SegmentDefinition } from './segment-definition';

const now = new Date('2024-06-15T12:00:00Z');

const segment = (id: string, version: number, rule: SegmentDefinition['rule'], purpose = 'personalisation'): SegmentDefinition => ({
  id,
  version,
  name: id,
  purpose,
  consentMode: 'opt-out',
  rule,
});

const gold = segment('gold', 1, { path: 'value.tier', op: 'eq', value: 'A' });
const loyal = segment('loyal', 1, { path: 'needs.stage', op: 'eq', value: 'loyalty' });
const mailable = segment('mailable', 1, { path: 'traits.email', op: 'exists' }, 'email-marketing');

function profile(id: string, tier?: 'A' | 'B', stage?: 'loyalty' | 'purchase', email = false): CustomerProfile {
  const p = emptyProfile(id);
  if (tier)
    p.value = {
      tier,
      actualValue: 1,
      strategicValue: 0,
      purchases: 1,
      revenue: 1,
      currency: 'EUR',
      modelVersion: 'm',
      updatedAt: '2024-06-01T00:00:00Z',
    };
  if (stage) p.needs = { stage, stageReason: '', facts: [], archetypes: [], unknown: [], updatedAt: '2024-06-01T00:00:00Z' };
  if (email) p.identity.traits['email'] = 'x@example.com';
  return p;
}

describe('membership diff', () => {
  it('enters and exits with reasons, exits first, each by id', () => {
    const diff = diffMemberships({ gold: 1 }, [gold, loyal, mailable], profile('c', 'B', 'loyalty', true), now);
    expect(diff.current).toEqual({ loyal: 1, mailable: 1 });
    expect(diff.changes).toEqual([
      { segmentId: 'gold', segmentVersion: 1, change: 'exited', reason: 'value.tier is "B": not eq "A"', changedAt: now.toISOString() },
      {
        segmentId: 'loyal',
        segmentVersion: 1,
        change: 'entered',
        reason: 'needs.stage is "loyalty": eq "loyalty"',
        changedAt: now.toISOString(),
      },
      { segmentId: 'mailable', segmentVersion: 1, change: 'entered', reason: 'traits.email exists', changedAt: now.toISOString() },
    ]);
    expect(diffMemberships(diff.current, [gold, loyal, mailable], profile('c', 'B', 'loyalty', true), now).changes).toEqual([]);
  });

  it('moves a member to a new segment version by exit then entry, and exits removed segments', () => {
    const gold2 = { ...gold, version: 2 };
    const diff = diffMemberships({ gold: 1, retired: 3 }, [gold2], profile('c', 'A'), now, { kind: 'segment-change' });
    expect(diff.current).toEqual({ gold: 2 });
    expect(diff.changes.map((c) => [c.segmentId, c.segmentVersion, c.change, c.reason])).toEqual([
      ['gold', 1, 'exited', 'segment redefined as version 2'],
      ['retired', 3, 'exited', 'segment removed'],
      ['gold', 2, 'entered', 'segment definition changed: value.tier is "A": eq "A"'],
    ]);
  });

  it('compensates a merge: the merged customer exits everything, the survivor is recomputed', () => {
    const survivor = profile('a', 'B', 'purchase');
    const merged = profile('b', 'A', 'loyalty', true);
    const folded = mergeProfiles(survivor, merged);
    const result = mergeMemberships({
      survivorPrevious: {},
      mergedPrevious: { gold: 1, loyal: 1, mailable: 1 },
      mergedId: 'b',
      survivorId: 'a',
      survivorProfile: folded,
      segments: [gold, loyal, mailable],
      now,
    });
    expect(result.merged.current).toEqual({});
    expect(result.merged.changes.map((c) => [c.segmentId, c.change, c.reason])).toEqual([
      ['gold', 'exited', 'merged into customer a'],
      ['loyal', 'exited', 'merged into customer a'],
      ['mailable', 'exited', 'merged into customer a'],
    ]);
    // The survivor's own value and needs win until upstream republishes; the merged customer's traits fill gaps.
    expect(result.survivor.current).toEqual({ mailable: 1 });
    expect(result.survivor.changes).toEqual([
      {
        segmentId: 'mailable',
        segmentVersion: 1,
        change: 'entered',
        reason: 'carried over from merged customer b; merged with customer b: traits.email exists',
        changedAt: now.toISOString(),
      },
    ]);
  });

  it('exits the segments of a withdrawn purpose at once, and a recomputation agrees', () => {
    const p = profile('c', 'A', 'loyalty', true);
    const previous = { gold: 1, loyal: 1, mailable: 1 };
    const withdrawnAt = new Date('2024-06-15T13:00:00Z');
    const quick = withdrawalExits(previous, [gold, loyal, mailable], 'email-marketing', withdrawnAt);
    expect(quick.current).toEqual({ gold: 1, loyal: 1 });
    expect(quick.changes.map((c) => [c.segmentId, c.change, c.reason])).toEqual([
      ['mailable', 'exited', 'consent for email-marketing withdrawn'],
    ]);
    p.consent.push({ purpose: 'email-marketing', channel: '*', status: 'withdrawn', at: withdrawnAt.toISOString() });
    const full = diffMemberships(previous, [gold, loyal, mailable], p, withdrawnAt, { kind: 'consent-change' });
    expect(full.current).toEqual(quick.current);
    expect(full.changes.map((c) => c.reason)).toEqual([
      'consent changed: consent for email-marketing withdrawn at 2024-06-15T13:00:00.000Z',
    ]);
    expect(diffMemberships(quick.current, [gold, loyal, mailable], p, withdrawnAt).changes).toEqual([]);
  });

  it('exits everything on erasure', () => {
    expect(exitAll({ b: 2, a: 1 }, 'erased', now).changes.map((c) => [c.segmentId, c.segmentVersion])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('applying the changes to the previous memberships gives the current ones (fast-check)', () => {
    const segments = [gold, loyal, mailable, { ...gold, id: 'gold-v', version: 3 }];
    const arbPrevious: fc.Arbitrary<Memberships> = fc.dictionary(
      fc.constantFrom('gold', 'loyal', 'mailable', 'gold-v', 'retired'),
      fc.integer({ min: 1, max: 3 }),
    );
    const arbProfile = fc
      .tuple(
        fc.constantFrom(undefined, 'A' as const, 'B' as const),
        fc.constantFrom(undefined, 'loyalty' as const, 'purchase' as const),
        fc.boolean(),
        fc.boolean(),
      )
      .map(([tier, stage, email, withdrawn]) => {
        const p = profile('c', tier, stage, email);
        if (withdrawn) p.consent.push({ purpose: 'personalisation', channel: '*', status: 'withdrawn', at: now.toISOString() });
        return p;
      });
    fc.assert(
      fc.property(arbPrevious, arbProfile, (previous, p) => {
        const diff = diffMemberships(previous, segments, p, now);
        expect(applyMembershipChanges(previous, diff.changes)).toEqual(diff.current);
        // Memberships hold exactly the segments whose rule (and consent) holds now.
        const expected = Object.fromEntries(
          segments.filter((s) => diffMemberships({}, [s], p, now).changes.length === 1).map((s) => [s.id, s.version]),
        );
        expect(diff.current).toEqual(expected);
        // Recomputing from the result changes nothing: the diff is idempotent.
        expect(diffMemberships(diff.current, segments, p, now).changes).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
