import { emptyProfile, type CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import { evaluateMembership, reviseSegment, segmentDraftSchema, trackedProperties, type SegmentDefinition } from './segment-definition';

const now = new Date('2024-06-15T12:00:00Z');

function goldCustomer(): CustomerProfile {
  return {
    ...emptyProfile('c-1'),
    value: {
      tier: 'A',
      actualValue: 5000,
      strategicValue: 0,
      purchases: 9,
      revenue: 9000,
      currency: 'EUR',
      modelVersion: 'm',
      updatedAt: now.toISOString(),
    },
  };
}

const gold: SegmentDefinition = {
  id: 'gold',
  version: 1,
  name: 'Gold',
  purpose: 'personalisation',
  consentMode: 'opt-out',
  rule: { path: 'value.tier', op: 'eq', value: 'A' },
};

describe('segment definitions', () => {
  it('validates drafts, naming the bad field of the rule', () => {
    const ok = segmentDraftSchema.safeParse({ id: 'gold', name: 'Gold', purpose: 'personalisation', rule: gold.rule });
    expect(ok.success && ok.data.consentMode).toBe('opt-out');
    const bad = segmentDraftSchema.safeParse({ id: 'Gold!', name: '', rule: { path: 'value.tier', op: 'gt', value: 'A' } });
    expect(bad.success).toBe(false);
    if (!bad.success) {
      expect(bad.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['id', 'name', 'purpose', 'rule.op']);
    }
  });

  it('bumps the version only when membership could change', () => {
    const first = reviseSegment(undefined, {
      id: 'gold',
      name: 'Gold',
      purpose: 'personalisation',
      consentMode: 'opt-out',
      rule: gold.rule,
    });
    expect(first.version).toBe(1);
    const renamed = reviseSegment(first, { ...first, name: 'Gold customers', description: 'tier A' });
    expect(renamed).toMatchObject({ version: 1, name: 'Gold customers', description: 'tier A' });
    // Same rule with keys in another order is the same rule.
    const reordered = reviseSegment(renamed, { ...renamed, rule: { value: 'A', op: 'eq', path: 'value.tier' } });
    expect(reordered.version).toBe(1);
    expect(reviseSegment(reordered, { ...reordered, rule: { path: 'value.tier', op: 'in', value: ['A', 'B'] } }).version).toBe(2);
    expect(reviseSegment(reordered, { ...reordered, purpose: 'analytics' }).version).toBe(2);
    expect(reviseSegment(reordered, { ...reordered, consentMode: 'opt-in' }).version).toBe(2);
  });

  it('ends membership when the purpose is withdrawn, and requires a grant when opt-in', () => {
    const p = goldCustomer();
    expect(evaluateMembership(gold, p, now)).toEqual({ matched: true, reason: 'value.tier is "A": eq "A"' });
    expect(evaluateMembership({ ...gold, consentMode: 'opt-in' }, p, now)).toEqual({
      matched: false,
      reason: 'no consent for personalisation (the segment is opt-in)',
    });
    p.consent.push({ purpose: 'personalisation', channel: '*', status: 'granted', at: '2024-01-01T00:00:00Z' });
    expect(evaluateMembership({ ...gold, consentMode: 'opt-in' }, p, now).matched).toBe(true);
    p.consent.push({ purpose: 'personalisation', channel: 'email', status: 'withdrawn', at: '2024-02-01T00:00:00Z' });
    // Withdrawing one channel is not withdrawing the purpose.
    expect(evaluateMembership(gold, p, now).matched).toBe(true);
    p.consent.push({ purpose: 'personalisation', channel: '*', status: 'withdrawn', at: '2024-03-01T00:00:00Z' });
    expect(p.consent.filter((c) => c.channel === '*')).toHaveLength(2);
    const withdrawn = { ...p, consent: p.consent.filter((c) => !(c.channel === '*' && c.status === 'granted')) };
    expect(evaluateMembership(gold, withdrawn, now)).toEqual({
      matched: false,
      reason: 'consent for personalisation withdrawn at 2024-03-01T00:00:00Z',
    });
  });

  it('lists the properties count filters need tracked', () => {
    expect(
      trackedProperties([
        { count: { event: 'Order Completed', days: 30, where: { property: 'category', value: 'shoes' } }, op: 'gte', value: 1 },
        {
          any: [
            { not: { count: { event: 'Order Completed', days: 7, where: { property: 'brand', value: 'x' } }, op: 'gt', value: 0 } },
            { count: { event: 'Order Completed', days: 7, where: { property: 'category', value: 'hats' } }, op: 'gt', value: 0 },
            { count: { event: 'Viewed', days: 7 }, op: 'gt', value: 0 },
          ],
        },
      ]),
    ).toEqual({ 'Order Completed': ['brand', 'category'] });
  });
});
