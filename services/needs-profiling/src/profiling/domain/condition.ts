import { z } from 'zod';
import { relationshipStageSchema, type RelationshipStage } from '@o2o/contracts';
import type { Fact, FactValue } from './needs-profile';

/**
 * A small rule language over facts, shared by needs archetypes and question prerequisites so
 * that marketing writes both in one vocabulary. A condition on a fact the profile lacks is
 * false (wrap it in `not` to test absence).
 */
export type FactCondition =
  | { fact: string; op: 'exists'; minConfidence?: number }
  | { fact: string; op: 'eq' | 'neq'; value: FactValue; minConfidence?: number }
  | { fact: string; op: 'in'; values: FactValue[]; minConfidence?: number }
  | { fact: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number; minConfidence?: number };

export type Condition = FactCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition } | { stageIn: RelationshipStage[] };

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const factKey = z.string().min(1).max(200);
const minConfidence = z.number().min(0).max(1).optional();

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ fact: factKey, op: z.literal('exists'), minConfidence }),
    z.strictObject({ fact: factKey, op: z.enum(['eq', 'neq']), value: scalar, minConfidence }),
    z.strictObject({ fact: factKey, op: z.literal('in'), values: z.array(scalar).min(1), minConfidence }),
    z.strictObject({ fact: factKey, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number(), minConfidence }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({ stageIn: z.array(relationshipStageSchema).min(1) }),
  ]),
);

export interface ConditionContext {
  facts: ReadonlyMap<string, Fact>;
  stage: RelationshipStage;
}

export function evaluateCondition(condition: Condition, context: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, context));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, context));
  if ('not' in condition) return !evaluateCondition(condition.not, context);
  if ('stageIn' in condition) return condition.stageIn.includes(context.stage);
  const fact = context.facts.get(condition.fact);
  if (!fact || fact.confidence < (condition.minConfidence ?? 0)) return false;
  switch (condition.op) {
    case 'exists':
      return true;
    case 'eq':
      return sameValue(fact.value, condition.value);
    case 'neq':
      return !sameValue(fact.value, condition.value);
    case 'in':
      return condition.values.some((v) => sameValue(fact.value, v));
    case 'gt':
      return typeof fact.value === 'number' && fact.value > condition.value;
    case 'gte':
      return typeof fact.value === 'number' && fact.value >= condition.value;
    case 'lt':
      return typeof fact.value === 'number' && fact.value < condition.value;
    case 'lte':
      return typeof fact.value === 'number' && fact.value <= condition.value;
  }
}

/** Answers typed on a keyboard differ in case and spacing from the configured values. */
function sameValue(a: FactValue, b: FactValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}
