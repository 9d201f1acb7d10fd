import fc from 'fast-check';
import { emptyProfile, type CustomerProfile, type ProfileFact } from '../../shared-kernel/domain/customer-profile';
import { dayIndex } from '../../shared-kernel/domain/event-counter';
import type { SegmentRule } from './segment-rule';
import { evaluate } from './segment-rule.evaluator';
import { validateSegmentRule } from './segment-rule.validator';

const now = new Date('2024-06-15T12:00:00Z');

const fact = (key: string, value: ProfileFact['value'], extra: Partial<ProfileFact> = {}): ProfileFact => ({
  key,
  value,
  kind: 'explicit',
  channel: 'web',
  purpose: 'personalisation',
  confidence: 1,
  observedAt: '2024-06-01T00:00:00Z',
  ...extra,
});

function customer(): CustomerProfile {
  const today = dayIndex(now);
  return {
    ...emptyProfile('c-1'),
    identity: {
      identifiers: [{ type: 'email', value: 'ann@example.com' }],
      mergedIds: [],
      traits: { firstName: 'Ann', address: { city: 'Lyon' } },
    },
    value: {
      tier: 'B',
      actualValue: 1200,
      strategicValue: 300,
      probabilityAlive: 0.8,
      purchases: 7,
      revenue: 2100,
      currency: 'EUR',
      lastPurchaseAt: '2024-05-16T12:00:00Z',
      modelVersion: 'm1',
      updatedAt: '2024-06-01T00:00:00Z',
    },
    needs: {
      stage: 'loyalty',
      stageReason: 'repeat buyer',
      facts: [
        fact('room.smoking', false),
        fact('nights', 3),
        fact('diet', 'vegetarian, no nuts'),
        fact('secret', 'x', { purpose: 'research' }),
        fact('nights', 5, { kind: 'inferred', observedAt: '2024-06-10T00:00:00Z' }),
      ],
      archetypes: ['family-traveller', 'bargain-hunter'],
      unknown: ['room.view'],
      updatedAt: '2024-06-01T00:00:00Z',
    },
    consent: [{ purpose: 'email-marketing', channel: 'email', status: 'granted', at: '2024-01-01T00:00:00Z' }],
    counters: [
      {
        event: 'Order Completed',
        buckets: [
          [today - 40, 1],
          [today - 29, 2],
          [today, 1],
        ],
      },
      { event: 'Order Completed', property: 'category', value: 'shoes', buckets: [[today, 1]] },
    ],
  };
}

function rule(input: unknown): SegmentRule {
  const result = validateSegmentRule(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.rule;
}

const run = (input: unknown, profile = customer()) => evaluate(rule(input), profile, now, { purpose: 'personalisation' });

describe('segment rule evaluation', () => {
  it.each([
    [{ path: 'value.tier', op: 'eq', value: 'B' }, true, 'value.tier is "B": eq "B"'],
    [{ path: 'value.tier', op: 'in', value: ['A'] }, false, 'value.tier is "B": not in ["A"]'],
    [{ path: 'value.tier', op: 'neq', value: 'A' }, true, 'value.tier is "B": neq "A"'],
    [{ path: 'value.actualValue', op: 'gt', value: 1000 }, true, 'value.actualValue is 1200: gt 1000'],
    [{ path: 'value.actualValue', op: 'lte', value: 1199.5 }, false, 'value.actualValue is 1200: not lte 1199.5'],
    [{ path: 'value.daysSinceLastPurchase', op: 'eq', value: 30 }, true, 'value.daysSinceLastPurchase is 30: eq 30'],
    [{ path: 'value.expectedPurchases', op: 'gte', value: 0 }, false, 'value.expectedPurchases is unknown, so gte 0 cannot hold'],
    [{ path: 'value.expectedPurchases', op: 'neq', value: 1 }, false, 'value.expectedPurchases is unknown, so neq 1 cannot hold'],
    [{ path: 'needs.stage', op: 'in', value: ['connection', 'loyalty'] }, true, 'needs.stage is "loyalty": in ["connection","loyalty"]'],
    [
      { path: 'needs.archetypes', op: 'contains', value: 'family-traveller' },
      true,
      'needs.archetypes is ["family-traveller","bargain-hunter"]: contains "family-traveller"',
    ],
    [
      { path: 'needs.archetypes', op: 'in', value: ['business', 'bargain-hunter'] },
      true,
      'needs.archetypes is ["family-traveller","bargain-hunter"]: in ["business","bargain-hunter"]',
    ],
    [
      { path: 'needs.unknown', op: 'contains', value: 'room.smoking' },
      false,
      'needs.unknown is ["room.view"]: not contains "room.smoking"',
    ],
    [{ path: 'needs.nextQuestion', op: 'exists' }, false, 'needs.nextQuestion is unknown'],
    [{ path: 'facts.room.smoking', op: 'eq', value: false }, true, 'facts.room.smoking is false: eq false'],
    [{ path: 'facts.diet', op: 'contains', value: 'Vegetarian' }, true, 'facts.diet is "vegetarian, no nuts": contains "Vegetarian"'],
    [{ path: 'facts.diet', op: 'gt', value: 3 }, false, 'facts.diet is "vegetarian, no nuts": gt needs a number, the value is text'],
    // An explicit answer beats a later inference.
    [{ path: 'facts.nights', op: 'eq', value: 3 }, true, 'facts.nights is 3: eq 3'],
    // Collected for research, so invisible to personalisation.
    [{ path: 'facts.secret', op: 'exists' }, false, 'facts.secret is unknown'],
    [
      { path: 'consent.email-marketing.email', op: 'eq', value: 'granted' },
      true,
      'consent.email-marketing.email is "granted": eq "granted"',
    ],
    [{ path: 'consent.email-marketing', op: 'exists' }, false, 'consent.email-marketing is unknown'],
    [
      { count: { event: 'Order Completed', days: 30 }, op: 'gte', value: 3 },
      true,
      'count of "Order Completed" in the last 30 days is 3: gte 3',
    ],
    [
      { count: { event: 'Order Completed', days: 29 }, op: 'gte', value: 3 },
      false,
      'count of "Order Completed" in the last 29 days is 1: not gte 3',
    ],
    [
      { count: { event: 'Order Completed', days: 7, where: { property: 'category', value: 'shoes' } }, op: 'eq', value: 1 },
      true,
      'count of "Order Completed" with category = "shoes" in the last 7 days is 1: eq 1',
    ],
  ])('%j -> %s', (input, matched, reason) => {
    expect(run(input)).toEqual({ matched, reason });
  });

  it('never quotes traits or identifiers in reasons', () => {
    expect(run({ path: 'traits.firstName', op: 'eq', value: 'Ann' })).toEqual({
      matched: true,
      reason: 'traits.firstName is <redacted>: eq <value>',
    });
    expect(run({ path: 'traits.address.city', op: 'in', value: ['Paris'] })).toEqual({
      matched: false,
      reason: 'traits.address.city is <redacted>: not in <value>',
    });
    const r = run({ path: 'identifiers.email', op: 'contains', value: 'ann@example.com' });
    expect(r.matched).toBe(true);
    expect(r.reason).not.toContain('ann@');
  });

  it('can quote no profile value at all', () => {
    expect(
      evaluate(rule({ path: 'facts.diet', op: 'contains', value: 'vegan' }), customer(), now, {
        purpose: 'personalisation',
        redactValues: true,
      }),
    ).toEqual({
      matched: false,
      reason: 'facts.diet is <redacted>: not contains "vegan"',
    });
  });

  it('explains which clause decided', () => {
    const input = {
      all: [
        { path: 'value.tier', op: 'in', value: ['A', 'B'] },
        {
          any: [
            { path: 'needs.stage', op: 'eq', value: 'purchase' },
            { path: 'facts.nights', op: 'gt', value: 10 },
          ],
        },
      ],
    };
    expect(run(input)).toEqual({
      matched: false,
      reason: 'none of (needs.stage is "loyalty": not eq "purchase"; facts.nights is 3: not gt 10)',
    });
    expect(
      run({ all: [{ path: 'value.tier', op: 'in', value: ['B'] }, { not: { path: 'facts.room.smoking', op: 'eq', value: true } }] }),
    ).toEqual({
      matched: true,
      reason: '(value.tier is "B": in ["B"] and not (facts.room.smoking is false: not eq true))',
    });
  });

  it('hides facts whose purpose was withdrawn, whatever purpose the rule serves', () => {
    const p = customer();
    p.consent.push({ purpose: 'personalisation', channel: '*', status: 'withdrawn', at: '2024-06-02T00:00:00Z' });
    expect(run({ path: 'facts.room.smoking', op: 'exists' }, p).matched).toBe(false);
    expect(evaluate(rule({ path: 'facts.room.smoking', op: 'exists' }), p, now).matched).toBe(false);
    expect(evaluate(rule({ path: 'facts.secret', op: 'exists' }), p, now).matched).toBe(true);
  });

  it('lets a purpose policy widen what facts serve', () => {
    const r = rule({ path: 'facts.secret', op: 'eq', value: 'x' });
    const widened = evaluate(r, customer(), now, { purpose: 'personalisation', factUsable: (f, u) => f === u || f === 'research' });
    expect(widened.matched).toBe(true);
  });

  it('evaluates an empty profile without throwing', () => {
    expect(
      run(
        {
          any: [
            { path: 'value.tier', op: 'eq', value: 'A' },
            { path: 'needs.archetypes', op: 'exists' },
          ],
        },
        emptyProfile('x'),
      ),
    ).toEqual({
      matched: false,
      reason: 'none of (value.tier is unknown, so eq "A" cannot hold; needs.archetypes is unknown)',
    });
  });

  describe('laws (fast-check)', () => {
    const leaf: fc.Arbitrary<SegmentRule> = fc.oneof(
      fc.record({
        path: fc.constant('value.tier'),
        op: fc.constantFrom('eq' as const, 'neq' as const),
        value: fc.constantFrom('A', 'B', 'C', 'D'),
      }),
      fc.record({
        path: fc.constant('value.actualValue'),
        op: fc.constantFrom('gt' as const, 'lte' as const),
        value: fc.integer({ min: 0, max: 3000 }),
      }),
      fc.record({ path: fc.constant('needs.archetypes'), op: fc.constant('contains' as const), value: fc.constantFrom('a', 'b') }),
      fc.record({ path: fc.constantFrom('facts.f', 'traits.t', 'consent.p.email'), op: fc.constant('exists' as const) }),
      fc.record({
        count: fc.record({ event: fc.constant('E'), days: fc.integer({ min: 1, max: 60 }) }),
        op: fc.constantFrom('gte' as const, 'lt' as const),
        value: fc.integer({ min: 1, max: 4 }),
      }),
    );
    const { rule: arbRule } = fc.letrec<{ rule: SegmentRule }>((tie) => ({
      rule: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
        fc.record({ not: tie('rule') }),
      ),
    }));
    const arbProfile: fc.Arbitrary<CustomerProfile> = fc
      .record({
        tier: fc.option(fc.constantFrom('A' as const, 'B' as const, 'C' as const, 'D' as const), { nil: undefined }),
        actualValue: fc.integer({ min: 0, max: 3000 }),
        archetypes: fc.subarray(['a', 'b']),
        hasFact: fc.boolean(),
        hasTrait: fc.boolean(),
        consent: fc.option(fc.constantFrom('granted' as const, 'withdrawn' as const), { nil: undefined }),
        events: fc.array(fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 3 })), { maxLength: 5 }),
      })
      .map((g) => {
        const p = emptyProfile('c');
        const today = dayIndex(now);
        if (g.tier) {
          p.value = {
            tier: g.tier,
            actualValue: g.actualValue,
            strategicValue: 0,
            purchases: 0,
            revenue: 0,
            currency: 'EUR',
            modelVersion: 'm',
            updatedAt: now.toISOString(),
          };
        }
        p.needs = {
          stage: 'purchase',
          stageReason: '',
          facts: g.hasFact ? [fact('f', 1)] : [],
          archetypes: g.archetypes,
          unknown: [],
          updatedAt: now.toISOString(),
        };
        if (g.hasTrait) p.identity.traits['t'] = 'x';
        if (g.consent) p.consent.push({ purpose: 'p', channel: 'email', status: g.consent, at: now.toISOString() });
        const days = [...new Map(g.events.map(([ago, n]) => [today - ago, n])).entries()].sort((a, b) => a[0] - b[0]);
        if (days.length > 0) p.counters.push({ event: 'E', buckets: days });
        return p;
      });
    const matched = (r: SegmentRule, p: CustomerProfile) => evaluate(r, p, now, { purpose: 'personalisation' }).matched;

    it('generated rules are valid', () => {
      fc.assert(fc.property(arbRule, (r) => expect(validateSegmentRule(r)).toEqual({ ok: true, rule: r })));
    });

    it('without reasons: the same answer, no text', () => {
      fc.assert(
        fc.property(arbRule, arbProfile, (r, p) => {
          const quick = evaluate(r, p, now, { purpose: 'personalisation', reasons: false });
          expect(quick).toEqual({ matched: matched(r, p), reason: '' });
        }),
      );
    });

    it('not(not(r)) = r', () => {
      fc.assert(fc.property(arbRule, arbProfile, (r, p) => matched({ not: { not: r } }, p) === matched(r, p)));
    });

    it('any([r]) = r = all([r])', () => {
      fc.assert(
        fc.property(
          arbRule,
          arbProfile,
          (r, p) => matched({ any: [r] }, p) === matched(r, p) && matched({ all: [r] }, p) === matched(r, p),
        ),
      );
    });

    it('De Morgan: not(all(a, b)) = any(not a, not b)', () => {
      fc.assert(
        fc.property(
          arbRule,
          arbRule,
          arbProfile,
          (a, b, p) => matched({ not: { all: [a, b] } }, p) === matched({ any: [{ not: a }, { not: b }] }, p),
        ),
      );
    });

    it('all and any are order-independent in outcome', () => {
      fc.assert(
        fc.property(
          arbRule,
          arbRule,
          arbProfile,
          (a, b, p) =>
            matched({ all: [a, b] }, p) === matched({ all: [b, a] }, p) && matched({ any: [a, b] }, p) === matched({ any: [b, a] }, p),
        ),
      );
    });
  });
});
