import { z } from 'zod';
import { conditionSchema, evaluateCondition, type Condition, type ConditionContext } from './condition';

/** A needs archetype ("works from home", "travels often") is a named condition over facts. */
export const archetypeRuleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case id')
    .max(100),
  description: z.string().optional(),
  when: conditionSchema,
});
export type ArchetypeRule = z.output<typeof archetypeRuleSchema>;

const defaultRules: { id: string; description: string; when: Condition }[] = [
  {
    id: 'works-from-home',
    description: 'Says they work from home, or shops for the home office',
    when: {
      any: [
        { fact: 'work.location', op: 'in', values: ['home', 'hybrid'] },
        { fact: 'affinity.category.home-office', op: 'gte', value: 0.25, minConfidence: 0.3 },
      ],
    },
  },
  {
    id: 'travels-often',
    description: 'Says they travel monthly or more, or shops for travel',
    when: {
      any: [
        { fact: 'travel.frequency', op: 'in', values: ['weekly', 'monthly'] },
        { fact: 'affinity.category.travel', op: 'gte', value: 0.25, minConfidence: 0.3 },
        { fact: 'affinity.category.luggage', op: 'gte', value: 0.25, minConfidence: 0.3 },
      ],
    },
  },
  {
    id: 'family-with-children',
    description: 'Has children at home',
    when: { fact: 'household.children', op: 'eq', value: true },
  },
  {
    id: 'bargain-hunter',
    description: 'Uses a discount on at least half of their purchases',
    when: { fact: 'price.sensitivity', op: 'gte', value: 0.5, minConfidence: 0.5 },
  },
  {
    id: 'gift-giver',
    description: 'Buys gifts regularly',
    when: { fact: 'gift.buyer', op: 'eq', value: true, minConfidence: 0.4 },
  },
];

export const archetypeRulesSchema = z
  .array(archetypeRuleSchema)
  .default(defaultRules)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate archetype id ${rule.id}` });
      seen.add(rule.id);
    });
  });

export function deriveArchetypes(context: ConditionContext, rules: readonly ArchetypeRule[]): string[] {
  return rules
    .filter((rule) => evaluateCondition(rule.when, context))
    .map((rule) => rule.id)
    .sort();
}
