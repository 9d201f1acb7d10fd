import {
  appendMembershipChanges,
  emptyState,
  exposeToCampaign,
  markApplied,
  mergeAttribution,
  recordGoal,
  APPLIED_EVENTS_KEPT,
} from './customer-state';
import { consentFromEvent } from './consent-event';
import type { ResolvedEventDataV1 } from '@o2o/contracts';

const at = (minutes: number) => new Date(Date.UTC(2024, 5, 1, 12, minutes)).toISOString();

describe('customer state', () => {
  it('numbers queued membership changes after the last sequence', () => {
    const change = { segmentId: 'a', segmentVersion: 1, change: 'entered' as const, reason: 'r', changedAt: at(0) };
    const once = appendMembershipChanges(emptyState('c'), { current: { a: 1 }, changes: [change] });
    const twice = appendMembershipChanges({ ...once, outbox: [] }, { current: {}, changes: [{ ...change, change: 'exited' }] });
    expect(once.outbox.map((e) => e.sequence)).toEqual([1]);
    expect(twice.outbox.map((e) => [e.change, e.sequence])).toEqual([['exited', 2]]);
    expect(twice.memberships).toEqual({});
  });

  it('records the causing event and its correlation on each queued change', () => {
    const change = { segmentId: 'a', segmentVersion: 1, change: 'entered' as const, reason: 'r', changedAt: at(0) };
    const caused = appendMembershipChanges(
      emptyState('c'),
      { current: { a: 1 }, changes: [change] },
      { eventId: 'evt-1', correlationId: 'msg-1' },
    );
    expect(caused.outbox[0]).toMatchObject({ causationId: 'evt-1', correlationId: 'msg-1' });
    const uncorrelated = appendMembershipChanges(emptyState('c'), { current: { a: 1 }, changes: [change] }, { eventId: 'evt-2' });
    expect(uncorrelated.outbox[0]).toMatchObject({ causationId: 'evt-2' });
    expect(uncorrelated.outbox[0]).not.toHaveProperty('correlationId');
    expect(appendMembershipChanges(emptyState('c'), { current: { a: 1 }, changes: [change] }).outbox[0]).not.toHaveProperty('causationId');
  });

  it('keeps a bounded list of applied event ids without duplicates', () => {
    let state = emptyState('c');
    for (let i = 0; i < APPLIED_EVENTS_KEPT + 10; i++) state = markApplied(state, [`e${i}`, `e${i}`]);
    expect(state.appliedEvents).toHaveLength(APPLIED_EVENTS_KEPT);
    expect(state.appliedEvents[APPLIED_EVENTS_KEPT - 1]).toBe(`e${APPLIED_EVENTS_KEPT + 9}`);
  });

  it('drops the oldest applied ids past the bound, keeps the order and leaves the given state as it was', () => {
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `e${from + i}`);
    const full = markApplied(emptyState('c'), ids(0, APPLIED_EVENTS_KEPT));
    expect(full.appliedEvents).toEqual(ids(0, APPLIED_EVENTS_KEPT));
    const next = markApplied(full, ['e3', ...ids(APPLIED_EVENTS_KEPT, APPLIED_EVENTS_KEPT + 3)]);
    expect(next.appliedEvents).toEqual(ids(3, APPLIED_EVENTS_KEPT + 3));
    expect(full.appliedEvents).toEqual(ids(0, APPLIED_EVENTS_KEPT));
    expect(markApplied(full, ['e0', 'e7'])).toBe(full);
    // More new ids than the bound: the newest of them.
    expect(markApplied(full, ids(1000, 1000 + APPLIED_EVENTS_KEPT + 5)).appliedEvents).toEqual(ids(1005, 1000 + APPLIED_EVENTS_KEPT + 5));
  });

  it('attributes a goal event that arrived before the exposure it followed', () => {
    const early = recordGoal(emptyState('c'), 'camp', at(10), 30);
    expect(early.attribution).toEqual({});
    const exposed = exposeToCampaign(early, 'camp', 'treated', at(5), 30);
    expect(exposed.attribution['camp']).toEqual({ group: 'treated', firstExposedAt: at(5), convertedAt: at(10) });
  });

  it('ignores repeat exposures and goals before the exposure', () => {
    const exposed = exposeToCampaign(emptyState('c'), 'camp', 'control', at(5), 30);
    expect(exposeToCampaign(exposed, 'camp', 'control', at(6), 30)).toBe(exposed);
    const before = recordGoal(emptyState('c'), 'camp', at(1), 30);
    expect(exposeToCampaign(before, 'camp', 'control', at(5), 30).attribution['camp']?.convertedAt).toBeUndefined();
  });

  it('keeps the earlier exposure of two merged customers and a conversion of either inside its window', () => {
    const merged = mergeAttribution(
      { camp: { group: 'treated', firstExposedAt: at(20) } },
      { camp: { group: 'control', firstExposedAt: at(10), convertedAt: at(30) }, other: { group: 'treated', firstExposedAt: at(1) } },
      () => 30,
    );
    expect(merged).toEqual({
      camp: { group: 'control', firstExposedAt: at(10), convertedAt: at(30) },
      other: { group: 'treated', firstExposedAt: at(1) },
    });
  });
});

describe('consent events', () => {
  const event = (properties: Record<string, unknown>): ResolvedEventDataV1 => ({
    messageId: 'm',
    sourceId: 's',
    channel: 'web',
    eventType: 'track',
    event: 'Consent Updated',
    properties,
    timestamp: at(0),
    receivedAt: at(0),
    customerId: 'c',
    identifiers: [],
  });

  it('maps a decision to a consent record of the event time', () => {
    expect(consentFromEvent(event({ purpose: 'marketing', channel: 'email', granted: false, wordingVersion: 3 }))).toEqual({
      ok: true,
      record: {
        purpose: 'marketing',
        channel: 'email',
        status: 'withdrawn',
        at: at(0),
        source: 's',
        mechanism: 'web event',
        wordingVersion: '3',
      },
    });
    expect(consentFromEvent(event({ purpose: 'marketing', granted: true }))).toMatchObject({
      ok: true,
      record: { channel: '*', status: 'granted' },
    });
  });

  it('refuses a decision it cannot read, naming the property', () => {
    const result = consentFromEvent(event({ purpose: 'Marketing!', granted: 'yes' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/properties\.purpose.*properties\.granted/);
  });
});
