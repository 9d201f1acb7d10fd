import type { CustomerState } from '../domain/customer-state';
import { fromDocument, liftKeysOf, readableDocument, toDocument, type CustomerDocument } from './customer-state.document';

const at = new Date('2026-12-04T10:00:00.000Z');

function state(): CustomerState {
  return {
    customerId: 'cus_1',
    profile: {
      customerId: 'cus_1',
      identity: {
        identifiers: [{ type: 'email', value: 'ana@shop.invalid' }],
        mergedIds: ['cus_0'],
        traits: { firstName: 'Ana', tags: [['vip', 2]], address: { city: 'Porto' } },
        updatedAt: '2026-12-04T09:00:00.000Z',
      },
      value: {
        tier: 'B',
        actualValue: 310,
        strategicValue: 120,
        purchases: 3,
        revenue: 310,
        currency: 'EUR',
        modelVersion: 'm1',
        updatedAt: '2026-12-04T09:01:00.000Z',
      },
      consent: [{ purpose: 'marketing', channel: 'email', status: 'granted', at: '2026-12-01T00:00:00.000Z' }],
      counters: [
        {
          event: 'Order Completed',
          buckets: [
            [20791, 2],
            [20792, 1],
          ],
        },
      ],
    },
    memberships: { vip: 3 },
    sequence: 4,
    outbox: [
      { segmentId: 'vip', segmentVersion: 3, change: 'entered', reason: 'tier B', changedAt: '2026-12-04T09:01:00.000Z', sequence: 4 },
    ],
    appliedEvents: ['e1', 'e2'],
    attribution: { spring: { group: 'treated', firstExposedAt: '2026-12-02T00:00:00.000Z', convertedAt: '2026-12-03T00:00:00.000Z' } },
    pendingGoals: [],
  };
}

describe('customer state document', () => {
  it('stores the profile, memberships, applied events and pending goals as JSON text and reads back the same state', () => {
    const document = toDocument(state(), 5, at);
    expect(typeof document.stateJson).toBe('string');
    for (const nested of ['profile', 'memberships', 'appliedEvents', 'pendingGoals']) expect(document).not.toHaveProperty(nested);
    expect(document.version).toBe(5);
    expect(document.attribution['spring']?.converted).toBe(true);
    expect(fromDocument(document)).toEqual(state());
  });

  it('keeps the fields queries filter on as fields', () => {
    const merged = { ...state(), mergedInto: 'cus_9' };
    const document = toDocument(merged, 1, at);
    expect(document.mergedInto).toBe('cus_9');
    expect(document.outbox).toHaveLength(1);
    expect(document.updatedAt).toBe(at);
    expect(fromDocument(document).mergedInto).toBe('cus_9');
  });

  it('reads documents written in the nested form (traits as text, buckets as objects)', () => {
    const { identity, counters, customerId: _id, ...rest } = state().profile;
    const { traits, ...identityRest } = identity;
    const { stateJson: _text, ...current } = toDocument(state(), 5, at);
    const legacy: CustomerDocument = {
      ...current,
      memberships: state().memberships,
      appliedEvents: state().appliedEvents,
      pendingGoals: state().pendingGoals,
      profile: {
        ...rest,
        customerId: 'cus_1',
        identity: { ...identityRest, traitsJson: JSON.stringify(traits) },
        counters: counters.map((s) => ({ ...s, buckets: s.buckets.map(([d, c]) => ({ d, c })) })),
      },
    };
    expect(fromDocument(legacy)).toEqual(state());
    // Its next write is in the new form.
    const rewritten = toDocument(fromDocument(legacy), 6, at);
    expect(rewritten).not.toHaveProperty('profile');
    expect(JSON.parse(rewritten.stateJson ?? 'null')).toEqual(JSON.parse(toDocument(state(), 6, at).stateJson ?? ''));
  });

  it('reads a document without a profile as an empty state', () => {
    const empty = { _id: 'cus_2', version: 0 } as CustomerDocument;
    const read = fromDocument(empty);
    expect(read.customerId).toBe('cus_2');
    expect(read.profile.identity.identifiers).toEqual([]);
    expect(read.sequence).toBe(0);
  });

  it('exports the profile as an object without nested arrays, whichever form is stored', () => {
    const exported = readableDocument(toDocument(state(), 5, at));
    expect(JSON.parse(exported.profile?.identity.traitsJson ?? '{}')).toEqual(state().profile.identity.traits);
    expect(exported.profile?.counters[0]?.buckets).toEqual([
      { d: 20791, c: 2 },
      { d: 20792, c: 1 },
    ]);
    expect(exported).not.toHaveProperty('stateJson');
    expect(exported.memberships).toEqual({ vip: 3 });
    expect(exported.appliedEvents).toEqual(['e1', 'e2']);
    const hasNestedArray = (value: unknown): boolean =>
      Array.isArray(value)
        ? value.some((v) => Array.isArray(v) || hasNestedArray(v))
        : typeof value === 'object' && value !== null && Object.values(value).some(hasNestedArray);
    expect(hasNestedArray(exported)).toBe(false);
  });
});

describe('lift keys', () => {
  it('lists each exposure and conversion for the indexed lift counts, and none once merged away', () => {
    const document = toDocument(
      { ...state(), attribution: { ...state().attribution, autumn: { group: 'control', firstExposedAt: '2026-12-02T00:00:00.000Z' } } },
      1,
      at,
    );
    expect(document.liftKeys).toEqual(['spring:treated', 'spring:treated:converted', 'autumn:control']);
    expect(liftKeysOf(document.attribution, 'cus_9')).toEqual([]);
    expect(toDocument({ ...state(), mergedInto: 'cus_9' }, 2, at).liftKeys).toEqual([]);
  });
});
