import { archetypeRulesSchema, deriveArchetypes } from './archetype.rules';
import { conditionSchema, evaluateCondition, type Condition, type ConditionContext } from './condition';
import type { Fact, FactValue } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';

function fact(key: string, value: FactValue, confidence = 1, kind: Fact['kind'] = 'explicit'): Fact {
  return {
    key,
    value,
    kind,
    channel: 'web',
    purpose: 'personalisation',
    confidence,
    observedAt: '2024-01-01T00:00:00.000Z',
    sourceEventId: key,
    origin: 'test',
  };
}

function context(facts: Fact[], stage: ConditionContext['stage'] = 'prospecting'): ConditionContext {
  return { facts: new Map(facts.map((f) => [f.key, f])), stage };
}

describe('conditions', () => {
  const ctx = context([fact('work.location', 'Home '), fact('price.sensitivity', 0.6, 0.4, 'inferred'), fact('household.children', false)]);
  const cases: [Condition, boolean][] = [
    [{ fact: 'work.location', op: 'exists' }, true],
    [{ fact: 'travel.frequency', op: 'exists' }, false],
    [{ fact: 'work.location', op: 'eq', value: 'home' }, true],
    [{ fact: 'work.location', op: 'neq', value: 'home' }, false],
    [{ fact: 'travel.frequency', op: 'neq', value: 'weekly' }, false],
    [{ fact: 'work.location', op: 'in', values: ['office', 'HOME'] }, true],
    [{ fact: 'price.sensitivity', op: 'gte', value: 0.6 }, true],
    [{ fact: 'price.sensitivity', op: 'gt', value: 0.6 }, false],
    [{ fact: 'price.sensitivity', op: 'lt', value: 0.7 }, true],
    [{ fact: 'price.sensitivity', op: 'lte', value: 0.5 }, false],
    [{ fact: 'work.location', op: 'gt', value: 0 }, false],
    [{ fact: 'price.sensitivity', op: 'gte', value: 0.5, minConfidence: 0.5 }, false],
    [{ fact: 'household.children', op: 'eq', value: false }, true],
    [
      {
        all: [
          { fact: 'work.location', op: 'exists' },
          { fact: 'household.children', op: 'eq', value: true },
        ],
      },
      false,
    ],
    [
      {
        any: [
          { fact: 'work.location', op: 'exists' },
          { fact: 'household.children', op: 'eq', value: true },
        ],
      },
      true,
    ],
    [{ not: { fact: 'travel.frequency', op: 'exists' } }, true],
    [{ stageIn: ['prospecting', 'consideration'] }, true],
    [{ stageIn: ['loyalty'] }, false],
  ];
  it.each(cases)('%j is %s', (condition, expected) => {
    expect(evaluateCondition(conditionSchema.parse(condition), ctx)).toBe(expected);
  });

  it('rejects malformed conditions', () => {
    expect(conditionSchema.safeParse({ fact: 'x', op: 'gt', value: 'high' }).success).toBe(false);
    expect(conditionSchema.safeParse({ fact: 'x', op: 'eq' }).success).toBe(false);
    expect(conditionSchema.safeParse({ fact: 'x', op: 'exists', valu: 1 }).success).toBe(false);
    expect(conditionSchema.safeParse({ all: [] }).success).toBe(false);
    expect(conditionSchema.safeParse({ stageIn: ['dating'] }).success).toBe(false);
  });
});

describe('archetypes', () => {
  const rules = defaultProfilingConfig.archetypes;

  it('recognises "works from home" from what the customer said', () => {
    expect(deriveArchetypes(context([fact('work.location', 'hybrid')]), rules)).toEqual(['works-from-home']);
  });

  it('recognises "works from home" from confident home-office shopping, not from a weak signal', () => {
    expect(deriveArchetypes(context([fact('affinity.category.home-office', 0.4, 0.6, 'inferred')]), rules)).toEqual(['works-from-home']);
    expect(deriveArchetypes(context([fact('affinity.category.home-office', 0.4, 0.1, 'inferred')]), rules)).toEqual([]);
  });

  it('recognises "travels often", family, bargain hunters and gift givers', () => {
    const facts = [
      fact('travel.frequency', 'weekly'),
      fact('household.children', true),
      fact('price.sensitivity', 0.5, 0.5, 'inferred'),
      fact('gift.buyer', true, 0.4, 'inferred'),
    ];
    expect(deriveArchetypes(context(facts), rules)).toEqual(['bargain-hunter', 'family-with-children', 'gift-giver', 'travels-often']);
  });

  it('validates rule sets: kebab-case ids, no duplicates', () => {
    expect(archetypeRulesSchema.safeParse([{ id: 'Works From Home', when: { fact: 'x', op: 'exists' } }]).success).toBe(false);
    const dup = { id: 'a', when: { fact: 'x', op: 'exists' } };
    expect(archetypeRulesSchema.safeParse([dup, dup]).success).toBe(false);
    expect(archetypeRulesSchema.parse([dup])).toEqual([dup]);
  });
});
