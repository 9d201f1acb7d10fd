import fc from 'fast-check';
import { z } from 'zod';
import {
  describeIssue,
  InvalidSegmentRuleError,
  MAX_RULE_DEPTH,
  parseSegmentRule,
  segmentRuleSchema,
  validateSegmentRule,
  type RuleIssue,
} from './segment-rule.validator';

function issuesOf(input: unknown): string[] {
  const result = validateSegmentRule(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues.map(describeIssue);
}

function accepts(input: unknown): void {
  const result = validateSegmentRule(input);
  if (!result.ok) throw new Error(result.issues.map(describeIssue).join('; '));
}

describe('segment rule validation', () => {
  it('accepts a realistic rule and returns it unchanged', () => {
    const rule = {
      all: [
        { path: 'value.tier', op: 'in', value: ['A', 'B'] },
        {
          any: [
            { path: 'needs.stage', op: 'eq', value: 'loyalty' },
            { path: 'needs.archetypes', op: 'contains', value: 'family-traveller' },
          ],
        },
        { not: { path: 'consent.email-marketing.email', op: 'eq', value: 'withdrawn' } },
        { path: 'facts.room.smoking', op: 'eq', value: false },
        { path: 'traits.firstName', op: 'exists' },
        { path: 'value.actualValue', op: 'gte', value: 1000 },
        { path: 'value.daysSinceLastPurchase', op: 'lt', value: 90 },
        { count: { event: 'Order Completed', days: 30, where: { property: 'category', value: 'shoes' } }, op: 'gte', value: 2 },
        { path: 'identifiers.email', op: 'exists' },
      ],
    };
    const result = validateSegmentRule(rule);
    expect(result).toEqual({ ok: true, rule });
  });

  it('names the path of an unknown operator', () => {
    expect(
      issuesOf({ all: [{ path: 'value.tier', op: 'eq', value: 'A' }, { not: { path: 'needs.stage', op: 'like', value: 'x' } }] }),
    ).toEqual(['all[1].not.op: unknown operator: expected one of eq, neq, gt, gte, lt, lte, in, exists, contains']);
  });

  it('rejects unknown path roots and unknown fields with what is known', () => {
    expect(issuesOf({ path: 'orders.count', op: 'gt', value: 1 })).toEqual([
      'path: unknown path root "orders": a path starts with one of value, needs, facts, traits, consent, identifiers',
    ]);
    const [message] = issuesOf({ path: 'value.lifetime', op: 'gt', value: 1 });
    expect(message).toMatch(/^path: unknown field "lifetime" under value: known fields are tier, previousTier, actualValue/);
    expect(issuesOf({ path: 'facts', op: 'exists' })).toEqual(['path: facts needs a fact key, e.g. "facts.room.smoking"']);
    expect(issuesOf({ path: 'consent.Email Marketing', op: 'exists' })).toEqual([
      'path: consent purpose and channel must be lower-case slugs',
    ]);
  });

  it('rejects ordering on categorical values and values outside their category', () => {
    expect(issuesOf({ path: 'value.tier', op: 'gt', value: 'B' })[0]).toMatch(
      /^op: value.tier is categorical, so gt is not defined on it; use in with the values wanted/,
    );
    expect(issuesOf({ path: 'value.tier', op: 'in', value: ['A', 'E'] })).toEqual(['value: "E" is not a tier: expected one of A, B, C, D']);
    expect(issuesOf({ path: 'needs.stage', op: 'eq', value: 'buying' })[0]).toMatch(
      /^value: "buying" is not a stage: expected one of prospecting/,
    );
    expect(issuesOf({ path: 'consent.email-marketing.email', op: 'eq', value: 'yes' })).toEqual([
      'value: "yes" is not a consent status: expected one of granted, withdrawn',
    ]);
  });

  it('rejects type mismatches known from the path', () => {
    expect(issuesOf({ path: 'value.actualValue', op: 'gt', value: '1000' })).toEqual([
      'value: value.actualValue is a number, so gt needs a number',
    ]);
    expect(issuesOf({ path: 'value.currency', op: 'lt', value: 'EUR' })).toEqual([
      'op: value.currency is text; ordering (lt) is not defined on it',
    ]);
    expect(issuesOf({ path: 'needs.archetypes', op: 'eq', value: 'x' })).toEqual([
      'op: needs.archetypes is a list: use contains (has this value) or in (has any of these values)',
    ]);
    expect(issuesOf({ path: 'value.revenue', op: 'contains', value: 1 })).toEqual([
      'op: value.revenue is a number; contains applies to text and lists',
    ]);
    expect(issuesOf({ path: 'facts.nights', op: 'gte', value: 'many' })).toEqual(['value: gte compares numbers, so it needs a number']);
    expect(issuesOf({ path: 'needs.nextQuestion', op: 'eq', value: 'q1' })).toEqual([
      'op: needs.nextQuestion can only be tested with exists',
    ]);
  });

  it('checks value shapes per operator', () => {
    expect(issuesOf({ path: 'facts.x', op: 'exists', value: true })).toEqual([
      'value: exists takes no value (wrap it in "not" to test absence)',
    ]);
    expect(issuesOf({ path: 'facts.x', op: 'eq' })).toEqual(['value: eq needs a value']);
    expect(issuesOf({ path: 'facts.x', op: 'in', value: 'a' })).toEqual(['value: in takes an array of values']);
    expect(issuesOf({ path: 'facts.x', op: 'in', value: [] })).toEqual([
      'value: in needs at least one value (an empty list never matches)',
    ]);
    expect(issuesOf({ path: 'facts.x', op: 'eq', value: ['a'] })).toEqual(['value: eq takes a single value; use "in" for a list']);
    expect(issuesOf({ path: 'facts.x', op: 'eq', value: { a: 1 } })).toEqual([
      'value: must be a string, a finite number, a boolean or null',
    ]);
    expect(issuesOf({ path: 'facts.x', op: 'in', value: [1, [2]] })).toEqual([
      'value[1]: must be a string, a finite number, a boolean or null',
    ]);
    expect(issuesOf({ path: 'facts.x', op: 'in', value: Array.from({ length: 501 }, (_, i) => i) })).toEqual([
      'value: in takes at most 500 values',
    ]);
  });

  it('rejects windows out of range and bad counts, each with a reason', () => {
    const count = (days: unknown, op = 'gte', value: unknown = 1) => ({ count: { event: 'Order Completed', days }, op, value });
    expect(issuesOf(count(0))).toEqual(['count.days: the window must be at least 1 day']);
    expect(issuesOf(count(366))).toEqual(['count.days: the window must be at most 365 days (counters are kept that long)']);
    expect(issuesOf(count(1.5))).toEqual(['count.days: days must be a whole number']);
    expect(issuesOf(count('30'))).toEqual(['count.days: days must be a number']);
    expect(issuesOf(count(30, 'contains'))).toEqual(['op: unknown count operator: expected one of eq, neq, gt, gte, lt, lte']);
    expect(issuesOf(count(30, 'gte', -1))).toEqual(['value: a count is never negative']);
    expect(issuesOf(count(30, 'gte', 0))).toEqual(['op: a count is never negative, so gte 0 is always true']);
    expect(issuesOf({ count: { event: '', days: 7 }, op: 'gt', value: 0 })).toEqual(['count.event: event must not be empty']);
    expect(issuesOf({ count: { event: 'x', days: 7, where: { property: 'p', value: null } }, op: 'gt', value: 0 })).toEqual([
      'count.where.value: where.value must be a string, a finite number or a boolean',
    ]);
  });

  it('rejects malformed nodes and reports every problem at once', () => {
    expect(issuesOf({ and: [] })).toEqual(['(rule): unknown rule: expected one of the keys all, any, not, path, count, got "and"']);
    expect(issuesOf({ all: [], any: [] })).toEqual([
      '(rule): a rule node has exactly one of all, any, not, path, count; found all and any',
    ]);
    expect(issuesOf({ all: [] })).toEqual(['all: all needs at least one rule']);
    expect(issuesOf({ any: 'x' })).toEqual(['any: any takes an array of rules']);
    expect(issuesOf({ not: { path: 'value.tier', op: 'eq', value: 'A', extra: 1 } })).toEqual(['not: Unrecognized key: "extra"']);
    expect(issuesOf('value.tier = A')).toEqual(['(rule): expected a rule object with one of the keys all, any, not, path, count']);
    expect(issuesOf({ any: [{ path: 'value.tier', op: 'gt', value: 'A' }, 7, { path: 'x.y', op: 'eq', value: 1 }] })).toHaveLength(3);
  });

  it('bounds depth and size', () => {
    let deep: unknown = { path: 'facts.x', op: 'exists' };
    for (let i = 0; i <= MAX_RULE_DEPTH; i++) deep = { not: deep };
    expect(issuesOf(deep)[0]).toMatch(/rules nest at most 16 levels deep$/);
    const wide = {
      any: Array.from({ length: 100 }, () => ({
        all: [
          { path: 'facts.x', op: 'exists' },
          { path: 'facts.y', op: 'exists' },
        ],
      })),
    };
    expect(issuesOf(wide)).toEqual(['any[66].all[0]: a rule may have at most 200 nodes']);
  });

  it('works as a zod schema with issue paths, and as a throwing parser', () => {
    const definition = z.object({ rule: segmentRuleSchema });
    const parsed = definition.safeParse({ rule: { all: [{ path: 'value.tier', op: 'gt', value: 'A' }] } });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.path).toEqual(['rule', 'all', 0, 'op']);
    expect(() => parseSegmentRule({ path: 'nope', op: 'exists' })).toThrow(InvalidSegmentRuleError);
    try {
      parseSegmentRule({ path: 'nope', op: 'exists' });
    } catch (error) {
      expect((error as InvalidSegmentRuleError).issues).toEqual<RuleIssue[]>([
        {
          path: ['path'],
          message: 'unknown path root "nope": a path starts with one of value, needs, facts, traits, consent, identifiers',
        },
      ]);
    }
    accepts({ path: 'value.tier', op: 'eq', value: 'A' });
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = validateSegmentRule(input);
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
