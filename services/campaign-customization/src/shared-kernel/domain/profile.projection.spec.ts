import type { NeedsProfiledDataV1, ResolvedEventDataV1, ValueScoredDataV1 } from '@o2o/contracts';
import { emptyProfile } from './customer-profile';
import { countInWindow } from './event-counter';
import { resolvedEvent, valueScored } from './profile-data.test-helper';
import {
  applyConsent,
  applyIdentitySnapshot,
  applyNeedsProfiled,
  applyResolvedEvent,
  applyValueScored,
  mergeProfiles,
} from './profile.projection';

const value = (tier: 'A' | 'B', updatedAt: string): ValueScoredDataV1 => valueScored('c', tier, updatedAt);

const needs = (updatedAt: string): NeedsProfiledDataV1 => ({
  customerId: 'c',
  stage: 'consideration',
  stageReason: 'browsing',
  facts: [
    {
      key: 'room.smoking',
      value: false,
      kind: 'explicit',
      channel: 'web',
      purpose: 'personalisation',
      confidence: 1,
      observedAt: updatedAt,
    },
  ],
  archetypes: ['a'],
  nextQuestion: { questionId: 'q1', factKey: 'room.view', purpose: 'personalisation', value: 0.4 },
  unknown: ['room.view'],
  updatedAt,
});

const event = (over: Partial<ResolvedEventDataV1>): ResolvedEventDataV1 => resolvedEvent('c', over);

describe('profile projection', () => {
  it('replaces state with newer full states and ignores older replays', () => {
    let p = applyValueScored(emptyProfile('c'), value('B', '2024-06-02T00:00:00Z'));
    p = applyValueScored(p, value('A', '2024-06-03T00:00:00Z'));
    expect(p.value?.tier).toBe('A');
    expect(applyValueScored(p, value('B', '2024-06-01T00:00:00Z'))).toBe(p);
    p = applyNeedsProfiled(p, needs('2024-06-03T00:00:00Z'));
    expect(p.needs).toMatchObject({ stage: 'consideration', archetypes: ['a'], nextQuestion: { questionId: 'q1' } });
    expect(applyNeedsProfiled(p, needs('2024-06-01T00:00:00Z'))).toBe(p);
    expect(p.needs?.stageGuidance).toBeUndefined();
    // The stage's contact guidance travels with the profile (caps read it), absent from older profiles.
    const guided = applyNeedsProfiled(p, {
      ...needs('2024-06-03T00:00:00Z'),
      stageGuidance: { maxContactsPer30Days: 4, minDaysBetweenContacts: 3, content: ['compare'] },
    });
    expect(guided.needs?.stageGuidance).toEqual({ maxContactsPer30Days: 4, minDaysBetweenContacts: 3, content: ['compare'] });
    p = applyIdentitySnapshot(p, {
      customerId: 'c',
      identifiers: [{ type: 'email', value: 'a@x.io' }],
      mergedIds: [],
      updatedAt: '2024-06-03T00:00:00Z',
    });
    expect(applyIdentitySnapshot(p, { customerId: 'c', identifiers: [], mergedIds: [], updatedAt: '2024-06-01T00:00:00Z' })).toBe(p);
    expect(p.identity.identifiers).toEqual([{ type: 'email', value: 'a@x.io' }]);
  });

  it('accumulates identify traits and counts track events', () => {
    const now = new Date('2024-06-15T12:00:00Z');
    let p = applyResolvedEvent(emptyProfile('c'), event({ eventType: 'identify', traits: { firstName: 'Ann' } }), {}, now);
    p = applyResolvedEvent(p, event({ eventType: 'identify', traits: { lastName: 'Lee' } }), {}, now);
    expect(p.identity.traits).toEqual({ firstName: 'Ann', lastName: 'Lee' });
    p = applyResolvedEvent(
      p,
      event({ event: 'Order Completed', properties: { category: 'shoes' } }),
      { 'Order Completed': ['category'] },
      now,
    );
    expect(countInWindow(p.counters, { event: 'Order Completed', where: { property: 'category', value: 'shoes' } }, 1, now)).toBe(1);
    expect(applyResolvedEvent(p, event({ eventType: 'page', name: 'Home' }), {}, now)).toBe(p);
  });

  it('keeps at most the limit of trait names: known ones still update, new ones beyond it are ignored and reported', () => {
    const now = new Date('2024-06-15T12:00:00Z');
    const hits: string[] = [];
    const limits = { counterSeries: 10, counterValue: 100, traits: 2, onLimit: (l: string) => void hits.push(l) };
    let p = applyResolvedEvent(
      emptyProfile('c'),
      event({ eventType: 'identify', traits: { firstName: 'Ann', plan: 'gold' } }),
      {},
      now,
      undefined,
      limits,
    );
    expect(hits).toEqual([]);
    p = applyResolvedEvent(p, event({ eventType: 'identify', traits: { plan: 'silver', lastName: 'Lee' } }), {}, now, undefined, limits);
    expect(p.identity.traits).toEqual({ firstName: 'Ann', plan: 'silver' });
    expect(hits).toEqual(['traits']);
  });

  it('folds a merged customer into the survivor', () => {
    const now = new Date('2024-06-15T12:00:00Z');
    let a = applyValueScored(emptyProfile('a'), value('B', '2024-06-02T00:00:00Z'));
    a = applyResolvedEvent(a, event({ eventType: 'identify', traits: { firstName: 'Ann' } }), {}, now);
    a = applyResolvedEvent(a, event({ event: 'Viewed' }), {}, now);
    a = { ...a, identity: { ...a.identity, identifiers: [{ type: 'email', value: 'a@x.io' }] } };
    let b = applyNeedsProfiled(emptyProfile('b'), needs('2024-06-03T00:00:00Z'));
    b = applyResolvedEvent(b, event({ eventType: 'identify', traits: { firstName: 'Anne', city: 'Lyon' } }), {}, now);
    b = applyResolvedEvent(b, event({ event: 'Viewed' }), {}, now);
    b = applyConsent(b, { purpose: 'sms', channel: 'sms', status: 'granted', at: '2024-06-01T00:00:00Z' });
    b = {
      ...b,
      identity: {
        ...b.identity,
        identifiers: [
          { type: 'email', value: 'a@x.io' },
          { type: 'phone', value: '+33600000000' },
        ],
        mergedIds: ['z'],
      },
    };
    const m = mergeProfiles(a, b);
    expect(m.customerId).toBe('a');
    expect(m.value?.tier).toBe('B');
    expect(m.needs?.stage).toBe('consideration');
    expect(m.identity.traits).toEqual({ firstName: 'Ann', city: 'Lyon' });
    expect(m.identity.identifiers).toHaveLength(2);
    expect(m.identity.mergedIds).toEqual(['b', 'z']);
    expect(m.consent).toHaveLength(1);
    expect(countInWindow(m.counters, { event: 'Viewed' }, 1, now)).toBe(2);
  });
});
