import { z } from 'zod';
import { MAX_WINDOW_DAYS } from '../../shared-kernel/domain/event-counter';
import { resolvePath, type PathKind } from '../../shared-kernel/domain/profile-path';
import {
  comparisonOperators,
  countOperators,
  type ComparisonRule,
  type CountRule,
  type RuleScalar,
  type SegmentRule,
} from './segment-rule';

/** Bounds that keep evaluation on the hot path predictable whatever a rule author writes. */
export const MAX_RULE_DEPTH = 16;
export const MAX_RULE_NODES = 200;
export const MAX_IN_VALUES = 500;

export interface RuleIssue {
  /** Where in the rule, as a path of keys and indexes (["all", 1, "op"]). */
  path: Array<string | number>;
  message: string;
}

export type RuleValidation = { ok: true; rule: SegmentRule } | { ok: false; issues: RuleIssue[] };

export class InvalidSegmentRuleError extends Error {
  constructor(readonly issues: RuleIssue[]) {
    super(`invalid segment rule: ${issues.map(describeIssue).join('; ')}`);
    this.name = 'InvalidSegmentRuleError';
  }
}

/** "all[1].not.op: unknown operator ..." */
export function describeIssue(issue: RuleIssue): string {
  return `${formatRulePath(issue.path)}: ${issue.message}`;
}

export function formatRulePath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(rule)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const nodeKeys = ['all', 'any', 'not', 'path', 'count'] as const;

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()], {
  error: 'must be a string, a finite number, a boolean or null',
});

const listSchema = (key: 'all' | 'any') =>
  z.strictObject({
    [key]: z
      .array(z.unknown(), { error: `${key} takes an array of rules` })
      .min(1, `${key} needs at least one rule`)
      .max(100, `${key} takes at most 100 rules`),
  });

const notSchema = z.strictObject({ not: z.unknown() });

const inList = z.array(scalar).max(MAX_IN_VALUES, `in takes at most ${MAX_IN_VALUES} values`);

const comparisonSchema = z.strictObject({
  path: z.string({ error: 'path must be a string' }).min(1, 'path must not be empty').max(300),
  op: z.enum(comparisonOperators, { error: `unknown operator: expected one of ${comparisonOperators.join(', ')}` }),
  // Checked separately, so that a bad element of an in-list is reported at its index.
  value: z.unknown().optional(),
});

const countSchema = z.strictObject({
  count: z.strictObject({
    event: z.string({ error: 'event must be a string' }).min(1, 'event must not be empty').max(200),
    days: z
      .number({ error: 'days must be a number' })
      .int('days must be a whole number')
      .min(1, 'the window must be at least 1 day')
      .max(MAX_WINDOW_DAYS, `the window must be at most ${MAX_WINDOW_DAYS} days (counters are kept that long)`),
    where: z
      .strictObject({
        property: z.string().min(1, 'property must not be empty').max(200),
        value: z.union([z.string().max(1000), z.number().finite(), z.boolean()], {
          error: 'where.value must be a string, a finite number or a boolean',
        }),
      })
      .optional(),
  }),
  op: z.enum(countOperators, { error: `unknown count operator: expected one of ${countOperators.join(', ')}` }),
  value: z.number({ error: 'value must be a number' }).int('a count is a whole number').min(0, 'a count is never negative'),
});

/**
 * Checks an untrusted rule completely and reports every problem with where it is, rather than
 * the first only, so an author can fix a rule in one go. Structure is checked with zod node by
 * node (a single recursive zod union would report failures at the union, not at the bad node);
 * meaning (paths, operator and value types) is checked against the profile path catalogue.
 */
export function validateSegmentRule(input: unknown): RuleValidation {
  const issues: RuleIssue[] = [];
  const budget = { nodes: 0 };
  const rule = checkNode(input, [], 0, issues, budget);
  if (issues.length > 0 || rule === undefined) {
    return { ok: false, issues: issues.length > 0 ? issues : [{ path: [], message: 'invalid rule' }] };
  }
  return { ok: true, rule };
}

/** Throws InvalidSegmentRuleError (a domain error) when the rule is invalid. */
export function parseSegmentRule(input: unknown): SegmentRule {
  const result = validateSegmentRule(input);
  if (!result.ok) throw new InvalidSegmentRuleError(result.issues);
  return result.rule;
}

/** The same validation as a zod schema, to embed in DTO and definition schemas. */
export const segmentRuleSchema = z.unknown().transform((input, ctx): SegmentRule => {
  const result = validateSegmentRule(input);
  if (result.ok) return result.rule;
  for (const issue of result.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

function checkNode(
  input: unknown,
  at: Array<string | number>,
  depth: number,
  issues: RuleIssue[],
  budget: { nodes: number },
): SegmentRule | undefined {
  budget.nodes += 1;
  if (budget.nodes === MAX_RULE_NODES + 1) issues.push({ path: at, message: `a rule may have at most ${MAX_RULE_NODES} nodes` });
  if (budget.nodes > MAX_RULE_NODES) return undefined;
  if (depth > MAX_RULE_DEPTH) {
    issues.push({ path: at, message: `rules nest at most ${MAX_RULE_DEPTH} levels deep` });
    return undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    issues.push({ path: at, message: `expected a rule object with one of the keys ${nodeKeys.join(', ')}` });
    return undefined;
  }
  const present = nodeKeys.filter((k) => Object.prototype.hasOwnProperty.call(input, k));
  const kind = present[0];
  if (kind === undefined) {
    const keys = Object.keys(input);
    issues.push({
      path: at,
      message: `unknown rule: expected one of the keys ${nodeKeys.join(', ')}${keys.length ? `, got ${keys.map((k) => `"${k}"`).join(', ')}` : ''}`,
    });
    return undefined;
  }
  if (present.length > 1 && !(present.length === 2 && present.includes('count') && present.includes('path'))) {
    issues.push({ path: at, message: `a rule node has exactly one of ${nodeKeys.join(', ')}; found ${present.join(' and ')}` });
    return undefined;
  }
  if (present.length > 1) {
    issues.push({ path: at, message: 'a count rule takes no path' });
    return undefined;
  }
  switch (kind) {
    case 'all':
    case 'any': {
      const parsed = listSchema(kind).safeParse(input);
      if (!parsed.success) return report(parsed.error, at, issues);
      const list = parsed.data[kind];
      if (!Array.isArray(list)) return undefined;
      const children = list.map((child, i) => checkNode(child, [...at, kind, i], depth + 1, issues, budget));
      if (!children.every((c): c is SegmentRule => c !== undefined)) return undefined;
      return kind === 'all' ? { all: children } : { any: children };
    }
    case 'not': {
      const parsed = notSchema.safeParse(input);
      if (!parsed.success) return report(parsed.error, at, issues);
      const child = checkNode(parsed.data.not, [...at, 'not'], depth + 1, issues, budget);
      return child === undefined ? undefined : { not: child };
    }
    case 'path': {
      const parsed = comparisonSchema.safeParse(input);
      if (!parsed.success) return report(parsed.error, at, issues);
      const rule: ComparisonRule = { path: parsed.data.path, op: parsed.data.op };
      if (parsed.data.value !== undefined) {
        const value = (Array.isArray(parsed.data.value) ? inList : scalar).safeParse(parsed.data.value);
        if (!value.success) return report(value.error, [...at, 'value'], issues);
        rule.value = value.data;
      }
      const before = issues.length;
      checkComparison(rule, at, issues);
      return issues.length === before ? rule : undefined;
    }
    case 'count': {
      const parsed = countSchema.safeParse(input);
      if (!parsed.success) return report(parsed.error, at, issues);
      const { count, op, value } = parsed.data;
      const rule: CountRule = { count: { event: count.event, days: count.days }, op, value };
      if (count.where) rule.count.where = { property: count.where.property, value: count.where.value };
      if (value === 0 && (op === 'gte' || op === 'lt')) {
        issues.push({ path: [...at, 'op'], message: `a count is never negative, so ${op} 0 is always ${op === 'gte' ? 'true' : 'false'}` });
        return undefined;
      }
      return rule;
    }
  }
}

function report(error: z.ZodError, at: Array<string | number>, issues: RuleIssue[]): undefined {
  for (const issue of error.issues) {
    issues.push({ path: [...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
  }
  return undefined;
}

function checkComparison(rule: ComparisonRule, at: Array<string | number>, issues: RuleIssue[]): void {
  const resolved = resolvePath(rule.path);
  if (!resolved.ok) {
    issues.push({ path: [...at, 'path'], message: resolved.message });
    return;
  }
  const fail = (message: string) => issues.push({ path: [...at, 'value'], message });
  const failOp = (message: string) => issues.push({ path: [...at, 'op'], message });
  const { op, value } = rule;
  if (op === 'exists') {
    if (value !== undefined) fail('exists takes no value (wrap it in "not" to test absence)');
    return;
  }
  if (value === undefined) {
    fail(`${op} needs a value`);
    return;
  }
  if (op === 'in') {
    if (!Array.isArray(value)) return void fail('in takes an array of values');
    if (value.length === 0) return void fail('in needs at least one value (an empty list never matches)');
  } else if (Array.isArray(value)) {
    return void fail(`${op} takes a single value; use "in" for a list`);
  }
  const values: RuleScalar[] = Array.isArray(value) ? value : [value];
  const kind: PathKind = resolved.path.kind;
  const ordered = op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';
  switch (kind.type) {
    case 'presence':
      return void failOp(`${rule.path} can only be tested with exists`);
    case 'enum': {
      if (ordered) {
        return void failOp(
          `${rule.path} is categorical, so ${op} is not defined on it; use in with the values wanted, e.g. ${JSON.stringify(kind.values.slice(0, 2))}`,
        );
      }
      if (op === 'contains') return void failOp(`${rule.path} is a single ${kind.noun}, not text or a list; use eq or in`);
      const bad = values.find((v) => typeof v !== 'string' || !kind.values.includes(v));
      if (bad !== undefined) fail(`${JSON.stringify(bad)} is not a ${kind.noun}: expected one of ${kind.values.join(', ')}`);
      return;
    }
    case 'number': {
      if (op === 'contains') return void failOp(`${rule.path} is a number; contains applies to text and lists`);
      if (values.some((v) => typeof v !== 'number'))
        fail(`${rule.path} is a number, so ${op} needs ${op === 'in' ? 'numbers' : 'a number'}`);
      return;
    }
    case 'string': {
      if (ordered) return void failOp(`${rule.path} is text; ordering (${op}) is not defined on it`);
      if (values.some((v) => typeof v !== 'string')) fail(`${rule.path} is text, so ${op} needs ${op === 'in' ? 'strings' : 'a string'}`);
      return;
    }
    case 'string-list': {
      if (op !== 'contains' && op !== 'in') {
        return void failOp(`${rule.path} is a list: use contains (has this value) or in (has any of these values)`);
      }
      if (values.some((v) => typeof v !== 'string'))
        fail(`${rule.path} holds strings, so ${op} needs ${op === 'in' ? 'strings' : 'a string'}`);
      return;
    }
    case 'dynamic': {
      if (ordered && typeof value !== 'number') fail(`${op} compares numbers, so it needs a number`);
      if (op === 'contains' && typeof value !== 'string') fail('contains needs a string');
      return;
    }
  }
}
