import type { FilterValue } from '../../shared-kernel/domain/event-counter';

/**
 * The segment rule language, as stored and as accepted by the API (JSON):
 *
 *   { "all": [rule, ...] }            every rule holds
 *   { "any": [rule, ...] }            at least one holds
 *   { "not": rule }
 *   { "path": "value.tier", "op": "in", "value": ["A", "B"] }
 *   { "count": { "event": "Order Completed", "days": 30, "where": { "property": "category", "value": "shoes" } },
 *     "op": "gte", "value": 2 }
 *
 * A node is recognised by its one key among all, any, not, path and count, so rules read like
 * the sentence they encode. Parse untrusted input with validateSegmentRule or segmentRuleSchema.
 *
 * Semantics worth knowing: a comparison on a value the profile lacks is false, neq included
 * (wrap eq in not to include the unknown); contains on text is a case-insensitive substring
 * test, on a list an exact element test; in on a list means "has any of"; categorical values
 * (tier, stage, consent status) take eq, neq and in only, because "gt B" has no agreed meaning;
 * "the last N days" is the current UTC day and the N - 1 days before it.
 */
export type SegmentRule = AllRule | AnyRule | NotRule | ComparisonRule | CountRule;

export interface AllRule {
  all: SegmentRule[];
}

export interface AnyRule {
  any: SegmentRule[];
}

export interface NotRule {
  not: SegmentRule;
}

export const comparisonOperators = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'contains'] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export type RuleScalar = string | number | boolean | null;
export type RuleValue = RuleScalar | RuleScalar[];

export interface ComparisonRule {
  /** A profile path: value.*, needs.*, facts.<key>, traits.<key>, consent.<purpose>[.<channel>], identifiers.<type>. */
  path: string;
  op: ComparisonOperator;
  /** Absent for exists; an array for in; a scalar otherwise. */
  value?: RuleValue;
}

export const countOperators = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type CountOperator = (typeof countOperators)[number];

export interface CountRule {
  count: { event: string; days: number; where?: { property: string; value: FilterValue } };
  op: CountOperator;
  value: number;
}

export function isAll(rule: SegmentRule): rule is AllRule {
  return 'all' in rule;
}
export function isAny(rule: SegmentRule): rule is AnyRule {
  return 'any' in rule;
}
export function isNot(rule: SegmentRule): rule is NotRule {
  return 'not' in rule;
}
export function isCount(rule: SegmentRule): rule is CountRule {
  return 'count' in rule;
}
export function isComparison(rule: SegmentRule): rule is ComparisonRule {
  return 'path' in rule;
}

/** Every rule node, depth first; used to collect counter dimensions and to bound rule size. */
export function* ruleNodes(rule: SegmentRule): Generator<SegmentRule> {
  yield rule;
  if (isAll(rule)) for (const child of rule.all) yield* ruleNodes(child);
  else if (isAny(rule)) for (const child of rule.any) yield* ruleNodes(child);
  else if (isNot(rule)) yield* ruleNodes(rule.not);
}
