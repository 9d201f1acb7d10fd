import { parseCampaign, type CampaignDefinition } from '../../campaigns/domain/campaign-definition';
import type { SegmentDefinition } from '../../segments/domain/segment-definition';
import type { ProfileLimits } from '../../shared-kernel/domain/profile.projection';
import { resolvedEvent, valueScored } from '../../shared-kernel/domain/profile-data.test-helper';
import { emptyState, markApplied, type CustomerState } from './customer-state';
import { batchCustomer, exposureKey, ProfileBatch, type BatchCustomer } from './profile-batch';
import type { ProfileChange } from './profile-change';

const now = new Date('2024-06-15T12:00:00Z');
const limits: ProfileLimits = { counterSeries: 100, counterValue: 1_000_000, traits: 100, onLimit: () => undefined };

const gold: SegmentDefinition = {
  id: 'gold',
  version: 1,
  name: 'gold',
  purpose: 'personalisation',
  consentMode: 'opt-out',
  rule: { path: 'value.tier', op: 'eq', value: 'A' },
};

function campaign(id: string, attributionWindowDays = 14): CampaignDefinition {
  const result = parseCampaign({
    id,
    version: 1,
    name: id,
    status: 'active',
    segmentId: 'gold',
    purpose: 'email-marketing',
    channels: ['email'],
    goal: { event: 'Order Completed' },
    attributionWindowDays,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare: 0,
    caps: {},
    modules: { message: { options: [{ id: 'hello' }] } },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

const value = valueScored;

const event = resolvedEvent;

function stored(state: CustomerState, version = 3): BatchCustomer {
  return batchCustomer({ state, version, exists: true });
}

function run(
  customers: BatchCustomer[],
  changes: ProfileChange[],
  campaigns: CampaignDefinition[] = [],
): { batch: ProfileBatch; byId: Map<string, BatchCustomer> } {
  const byId = new Map(customers.map((c) => [c.state.customerId, c]));
  const batch = new ProfileBatch(byId, [gold], campaigns, now, () => limits);
  for (const change of changes) batch.apply(change);
  batch.recomputeMemberships();
  return { batch, byId };
}

function at(byId: Map<string, BatchCustomer>, id: string): BatchCustomer {
  const c = byId.get(id);
  if (c === undefined) throw new Error(`no customer ${id} in the batch`);
  return c;
}

describe('ProfileBatch', () => {
  it('applies a state change once, recomputes memberships and records the cause and trace', () => {
    const { batch, byId } = run(
      [stored(emptyState('c1'))],
      [
        { kind: 'value', customerId: 'c1', eventId: 'e1', correlationId: 'corr', trace: 'trace-1', data: value('c1', 'A') },
        { kind: 'value', customerId: 'c1', eventId: 'e1', trace: 'trace-2', data: value('c1', 'A') },
      ],
    );
    const c = at(byId, 'c1');
    expect(c.dirty).toBe(true);
    expect(c.replayed).toBe(true);
    expect(c.trace).toBe('trace-1');
    expect(c.state.memberships).toEqual({ gold: 1 });
    expect(c.state.outbox).toEqual([
      expect.objectContaining({ segmentId: 'gold', change: 'entered', sequence: 1, causationId: 'e1', correlationId: 'corr' }),
    ]);
    expect(c.state.appliedEvents).toEqual(['e1']);
    expect(batch.dirty()).toEqual([c]);
  });

  it('leaves a customer clean when every input was already applied, and marks it replayed', () => {
    const state = markApplied(emptyState('c1'), ['e1']);
    const { batch, byId } = run([stored(state)], [{ kind: 'value', customerId: 'c1', eventId: 'e1', data: value('c1', 'A') }]);
    expect(at(byId, 'c1')).toMatchObject({ dirty: false, replayed: true, state });
    expect(batch.dirty()).toEqual([]);
  });

  it('writes an event only when it changes the profile: the same traits again are no change, a changed nested one is', () => {
    const traits = { plan: 'pro', address: { city: 'Lyon', zip: '69001' }, tags: ['a', 'b'] };
    const first = run(
      [stored(emptyState('c1'))],
      [{ kind: 'event', customerId: 'c1', eventId: 'e1', data: event('c1', { eventType: 'identify', traits }) }],
    );
    const held = at(first.byId, 'c1');
    expect(held.dirty).toBe(true);
    expect(held.state.profile.identity.traits).toEqual(traits);

    // The same values in fresh objects (as every decoded message is): nothing to write, not even the event id.
    const again = JSON.parse(JSON.stringify(traits)) as typeof traits;
    const same = run(
      [stored(held.state)],
      [{ kind: 'event', customerId: 'c1', eventId: 'e2', data: event('c1', { eventType: 'identify', traits: again }) }],
    );
    expect(at(same.byId, 'c1').dirty).toBe(false);
    expect(at(same.byId, 'c1').state).toBe(held.state);

    for (const changed of [
      { ...again, address: { city: 'Lyon', zip: '69002' } },
      { ...again, tags: ['a', 'b', 'c'] },
      { ...again, plan: 'free' },
    ]) {
      const next = run(
        [stored(held.state)],
        [{ kind: 'event', customerId: 'c1', eventId: 'e3', data: event('c1', { eventType: 'identify', traits: changed }) }],
      );
      const c = at(next.byId, 'c1');
      expect(c.dirty).toBe(true);
      expect(c.state.profile.identity.traits).toEqual(changed);
      expect(c.state.appliedEvents).toContain('e3');
    }

    // A track event always counts (a new bucket or a higher count), so it is always written.
    const track = run([stored(held.state)], [{ kind: 'event', customerId: 'c1', eventId: 'e4', data: event('c1', { event: 'Viewed' }) }]);
    expect(at(track.byId, 'c1').dirty).toBe(true);
  });

  it('does not create a customer to erase what it never held', () => {
    const { batch, byId } = run([], [{ kind: 'value', customerId: 'ghost', eventId: 't', data: null }]);
    expect(at(byId, 'ghost').dirty).toBe(false);
    expect(batch.dirty()).toEqual([]);
  });

  it('merges: folds the merged customer into the survivor, exits its memberships and routes its later events', () => {
    const survivor = { ...emptyState('s'), appliedEvents: ['s-e'] };
    const mergedProfile = {
      ...emptyState('m').profile,
      value: {
        tier: 'A' as const,
        actualValue: 1,
        strategicValue: 0,
        purchases: 1,
        revenue: 1,
        currency: 'EUR',
        modelVersion: 'm',
        updatedAt: '2024-06-01T00:00:00Z',
      },
    };
    const merged: CustomerState = { ...emptyState('m'), profile: mergedProfile, memberships: { gold: 1 }, appliedEvents: ['m-e'] };
    const { byId } = run(
      [stored(survivor), stored(merged)],
      [
        { kind: 'merged', customerId: 's', mergedId: 'm', eventId: 'merge-1', at: now.toISOString() },
        // Arrives for the merged-away id: belongs to the survivor now.
        { kind: 'event', customerId: 'm', eventId: 'ev-after', data: event('m', { eventType: 'identify', traits: { plan: 'pro' } }) },
        // The merge redelivered in the same batch changes nothing.
        { kind: 'merged', customerId: 's', mergedId: 'm', eventId: 'merge-1', at: now.toISOString() },
      ],
    );
    const s = at(byId, 's');
    const m = at(byId, 'm');
    expect(m.state.mergedInto).toBe('s');
    expect(m.state.outbox).toEqual([expect.objectContaining({ segmentId: 'gold', change: 'exited', reason: 'merged into customer s' })]);
    expect(m.state.memberships).toEqual({});
    expect(s.state.memberships).toEqual({ gold: 1 });
    expect(s.state.outbox).toEqual([expect.objectContaining({ segmentId: 'gold', change: 'entered', causationId: 'merge-1' })]);
    expect(s.state.outbox[0]?.reason).toContain('carried over from merged customer m');
    expect(s.state.appliedEvents).toEqual(expect.arrayContaining(['s-e', 'm-e', 'merge-1', 'ev-after']));
    expect(s.state.profile.identity.traits).toMatchObject({ plan: 'pro' });
    expect(s.replayed).toBe(true);
  });

  it('ignores a merge of a customer into itself', () => {
    const { batch } = run(
      [stored(emptyState('s'))],
      [{ kind: 'merged', customerId: 's', mergedId: 's', eventId: 'x', at: now.toISOString() }],
    );
    expect(batch.dirty()).toEqual([]);
  });

  it('splits: hands each part its identifiers and revives a part that had been merged in', () => {
    const original: CustomerState = {
      ...emptyState('a'),
      profile: {
        ...emptyState('a').profile,
        identity: {
          identifiers: [
            { type: 'email', value: 'a@x' },
            { type: 'email', value: 'b@x' },
          ],
          mergedIds: ['b', 'z'],
          traits: {},
        },
      },
    };
    const part: CustomerState = { ...emptyState('b'), mergedInto: 'a' };
    const { byId } = run(
      [stored(original), stored(part)],
      [
        {
          kind: 'split',
          customerId: 'a',
          eventId: 'split-1',
          at: now.toISOString(),
          parts: [
            { customerId: 'a', identifiers: [{ type: 'email', value: 'a@x' }] },
            { customerId: 'b', identifiers: [{ type: 'email', value: 'b@x' }] },
          ],
        },
      ],
    );
    const a = at(byId, 'a');
    const b = at(byId, 'b');
    expect(a.state.profile.identity).toMatchObject({ identifiers: [{ type: 'email', value: 'a@x' }], mergedIds: ['z'] });
    expect(b.state.profile.identity.identifiers).toEqual([{ type: 'email', value: 'b@x' }]);
    expect(b.state.mergedInto).toBeUndefined();
    expect(a.state.appliedEvents).toContain('split-1');
    expect(b.state.appliedEvents).toContain('split-1');
    expect([a.dirty, b.dirty]).toEqual([true, true]);
  });

  it('decisions: records the first exposure only, and reports it for repeat-decision skipping', () => {
    const spring = campaign('spring');
    const { batch, byId } = run(
      [stored(emptyState('c1'))],
      [
        { kind: 'decision', customerId: 'c1', eventId: 'd1', campaignId: 'spring', group: 'treated', at: '2024-06-10T00:00:00Z' },
        { kind: 'decision', customerId: 'c1', eventId: 'd2', campaignId: 'spring', group: 'control', at: '2024-06-12T00:00:00Z' },
      ],
      [spring],
    );
    const c = at(byId, 'c1');
    expect(c.state.attribution['spring']).toMatchObject({ group: 'treated', firstExposedAt: '2024-06-10T00:00:00Z' });
    expect(c.state.appliedEvents).toEqual(['d1']);
    expect(batch.firstExposures()).toEqual([[exposureKey('c1', 'spring'), Date.parse('2024-06-10T00:00:00Z')]]);
  });

  it('counts a goal event inside the window as a conversion, after which the exposure key never needs a read', () => {
    const spring = campaign('spring', 14);
    const { batch, byId } = run(
      [stored(emptyState('c1'))],
      [
        { kind: 'decision', customerId: 'c1', eventId: 'd1', campaignId: 'spring', group: 'treated', at: '2024-06-10T00:00:00Z' },
        {
          kind: 'event',
          customerId: 'c1',
          eventId: 'g1',
          data: event('c1', { event: 'Order Completed', timestamp: '2024-06-12T00:00:00Z', properties: { revenue: 40 } }),
        },
      ],
      [spring],
    );
    expect(at(byId, 'c1').state.attribution['spring']).toMatchObject({ convertedAt: '2024-06-12T00:00:00Z', revenue: 40 });
    expect(batch.firstExposures()).toEqual([[exposureKey('c1', 'spring'), -Infinity]]);
  });

  it('re-evaluates a stored customer against the segments only when asked to', () => {
    const state: CustomerState = {
      ...emptyState('c1'),
      profile: {
        ...emptyState('c1').profile,
        value: {
          tier: 'A',
          actualValue: 1,
          strategicValue: 0,
          purchases: 1,
          revenue: 1,
          currency: 'EUR',
          modelVersion: 'm',
          updatedAt: '2024-06-01T00:00:00Z',
        },
      },
    };
    const untouched = run([stored(state)], [{ kind: 'flush', customerId: 'c1' }]);
    expect(untouched.batch.dirty()).toEqual([]);
    const { byId } = run([stored(state)], [{ kind: 'reevaluate', customerId: 'c1' }]);
    expect(at(byId, 'c1').state.outbox).toEqual([expect.objectContaining({ segmentId: 'gold', change: 'entered' })]);
    expect(at(byId, 'c1').state.outbox[0]?.causationId).toBeUndefined();
  });
});
