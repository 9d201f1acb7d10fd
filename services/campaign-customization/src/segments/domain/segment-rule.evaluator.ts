import { resolveConsent } from '../../shared-kernel/domain/consent';
import type { CustomerProfile, ProfileFact } from '../../shared-kernel/domain/customer-profile';
import { countInWindow } from '../../shared-kernel/domain/event-counter';
import { resolvePath, type PathReadContext, type PathResolution } from '../../shared-kernel/domain/profile-path';
import {
  isAll,
  isAny,
  isComparison,
  isCount,
  isNot,
  type ComparisonRule,
  type CountOperator,
  type CountRule,
  type RuleScalar,
  type SegmentRule,
} from './segment-rule';

export interface RuleResult {
  matched: boolean;
  /** Which clause decided, in words; never quotes traits or identifiers (they may be personal data). */
  reason: string;
}

export interface EvaluationOptions {
  /**
   * The purpose the result will be used for (the segment's or campaign's). Facts collected for
   * another purpose are invisible unless factUsable says otherwise.
   */
  purpose?: string;
  /** Purpose compatibility policy; by default a fact serves only the purpose it was collected for. */
  factUsable?: (factPurpose: string, usePurpose: string) => boolean;
  /** Quote no profile value in reasons at all (traits and identifiers are never quoted anyway). */
  redactValues?: boolean;
  /**
   * false: only whether it matched, with an empty reason (the same answer; no text built). A
   * membership diff asks so for every segment and for the reason only of what changes.
   */
  reasons?: boolean;
}

interface EvaluationContext extends PathReadContext {
  redactValues: boolean;
  reasons: boolean;
}

const samePurpose = (factPurpose: string, usePurpose: string) => factPurpose === usePurpose;

/**
 * Evaluates a validated rule against a profile at a given time. Pure: the same rule, profile
 * and time always give the same answer, so live evaluation and back-fill agree. A comparison on
 * a value the profile does not have is false, whatever the operator (neq included): wrap an eq
 * in not to include the unknown.
 */
export function evaluate(rule: SegmentRule, profile: CustomerProfile, now: Date, options: EvaluationOptions = {}): RuleResult {
  return evaluateNode(rule, profile, {
    ...readContext(profile, now, options),
    redactValues: options.redactValues ?? false,
    reasons: options.reasons ?? true,
  });
}

/** What a path may read for this purpose: shared with anything that reads profile paths outside a rule. */
export function readContext(profile: CustomerProfile, now: Date, options: EvaluationOptions = {}): PathReadContext {
  const usable = options.factUsable ?? samePurpose;
  const purpose = options.purpose;
  return {
    now,
    // A withdrawn purpose also hides the facts collected for it, whatever the rule's purpose.
    factVisible: (fact: ProfileFact) =>
      (purpose === undefined || usable(fact.purpose, purpose)) && resolveConsent(profile.consent, fact.purpose).status !== 'withdrawn',
  };
}

function evaluateNode(rule: SegmentRule, profile: CustomerProfile, context: EvaluationContext): RuleResult {
  if (isAll(rule)) {
    const reasons: string[] = [];
    for (const child of rule.all) {
      const result = evaluateNode(child, profile, context);
      if (!result.matched) return result;
      if (context.reasons) reasons.push(result.reason);
    }
    if (!context.reasons) return { matched: true, reason: '' };
    return { matched: true, reason: reasons.length === 1 ? (reasons[0] ?? '') : `(${reasons.join(' and ')})` };
  }
  if (isAny(rule)) {
    const reasons: string[] = [];
    for (const child of rule.any) {
      const result = evaluateNode(child, profile, context);
      if (result.matched) return result;
      if (context.reasons) reasons.push(result.reason);
    }
    if (!context.reasons) return { matched: false, reason: '' };
    return { matched: false, reason: reasons.length === 1 ? (reasons[0] ?? '') : `none of (${reasons.join('; ')})` };
  }
  if (isNot(rule)) {
    const result = evaluateNode(rule.not, profile, context);
    return { matched: !result.matched, reason: context.reasons ? `not (${result.reason})` : '' };
  }
  if (isCount(rule)) return evaluateCount(rule, profile, context);
  if (isComparison(rule)) return evaluateComparison(rule, profile, context);
  return { matched: false, reason: 'unrecognised rule node' };
}

function evaluateCount(rule: CountRule, profile: CustomerProfile, context: EvaluationContext): RuleResult {
  const { event, days, where } = rule.count;
  const actual = countInWindow(profile.counters, rule.count, days, context.now);
  if (!context.reasons) return { matched: compareNumbers(actual, rule.op, rule.value), reason: '' };
  const label = `count of "${event}"${where ? ` with ${where.property} = ${JSON.stringify(where.value)}` : ''} in the last ${days} days`;
  const matched = compareNumbers(actual, rule.op, rule.value);
  return { matched, reason: `${label} is ${actual}: ${matched ? '' : 'not '}${rule.op} ${rule.value}` };
}

// Rules come from a bounded set of stored definitions, so their paths are resolved once per process.
const resolvedPaths = new Map<string, PathResolution>();
const MAX_CACHED_PATHS = 10_000;

function resolveCached(path: string): PathResolution {
  let resolved = resolvedPaths.get(path);
  if (resolved === undefined) {
    resolved = resolvePath(path);
    if (resolvedPaths.size >= MAX_CACHED_PATHS) resolvedPaths.clear();
    resolvedPaths.set(path, resolved);
  }
  return resolved;
}

function evaluateComparison(rule: ComparisonRule, profile: CustomerProfile, context: EvaluationContext): RuleResult {
  const resolved = resolveCached(rule.path);
  if (!resolved.ok) return { matched: false, reason: `${rule.path}: ${resolved.message}` };
  const personal = resolved.path.personal;
  const actual = resolved.path.read(profile, context);
  const present = actual !== undefined && !(Array.isArray(actual) && actual.length === 0);
  if (!context.reasons) {
    if (rule.op === 'exists' || !present) return { matched: present, reason: '' };
    return { matched: compare(actual, rule) === true, reason: '' };
  }
  if (rule.op === 'exists') return { matched: present, reason: `${rule.path} ${present ? 'exists' : 'is unknown'}` };
  const expected = personal ? '<value>' : show(rule.value);
  if (!present) return { matched: false, reason: `${rule.path} is unknown, so ${rule.op} ${expected} cannot hold` };
  const outcome = compare(actual, rule);
  const shown = personal || context.redactValues ? '<redacted>' : show(actual);
  if (typeof outcome === 'string') return { matched: false, reason: `${rule.path} is ${shown}: ${outcome}` };
  return { matched: outcome, reason: `${rule.path} is ${shown}: ${outcome ? '' : 'not '}${rule.op} ${expected}` };
}

/** true/false, or a string saying why the comparison cannot apply to this value. */
function compare(actual: unknown, rule: ComparisonRule): boolean | string {
  const { op, value } = rule;
  if (Array.isArray(actual)) {
    if (op === 'contains') return actual.some((a) => a === value);
    if (op === 'in' && Array.isArray(value)) return actual.some((a) => value.some((v) => v === a));
    return `${op} does not apply to a list`;
  }
  switch (op) {
    case 'eq':
      return actual === value;
    case 'neq':
      return actual !== value;
    case 'in':
      return Array.isArray(value) && value.some((v: RuleScalar) => v === actual);
    case 'contains':
      if (typeof actual !== 'string' || typeof value !== 'string') return 'contains needs text';
      return actual.toLowerCase().includes(value.toLowerCase());
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof actual !== 'number' || typeof value !== 'number') return `${op} needs a number, the value is ${typeName(actual)}`;
      return compareNumbers(actual, op, value);
    case 'exists':
      return true;
  }
}

function compareNumbers(actual: number, op: CountOperator, value: number): boolean {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'neq':
      return actual !== value;
    case 'gt':
      return actual > value;
    case 'gte':
      return actual >= value;
    case 'lt':
      return actual < value;
    case 'lte':
      return actual <= value;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function show(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return '{...}';
  return JSON.stringify(value) ?? String(value);
}
