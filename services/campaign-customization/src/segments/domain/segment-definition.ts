import { z } from 'zod';
import { resolveConsent, slugSchema } from '../../shared-kernel/domain/consent';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { TrackedProperties } from '../../shared-kernel/domain/event-counter';
import { evaluate, type EvaluationOptions, type RuleResult } from './segment-rule.evaluator';
import { isCount, ruleNodes, type SegmentRule } from './segment-rule';
import { segmentRuleSchema } from './segment-rule.validator';

/**
 * opt-out: a member unless the customer withdrew the segment's purpose (as for analytic
 * segments under legitimate interest). opt-in: only with a recorded grant of the purpose.
 */
export const consentModes = ['opt-out', 'opt-in'] as const;
export type ConsentMode = (typeof consentModes)[number];

export interface SegmentDefinition {
  /** Stable id, published on the membership topic. */
  id: string;
  /** Bumped on every change of rule or purpose; memberships carry the version they were computed with. */
  version: number;
  name: string;
  description?: string;
  /** What membership is used for; a withdrawal of this purpose makes the customer exit. */
  purpose: string;
  consentMode: ConsentMode;
  rule: SegmentRule;
}

export const segmentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'segment ids are lower-case slugs: letters, digits, "-" or "_", at most 100 characters');

/** What the API accepts to create or edit a segment; the version is assigned by reviseSegment. */
export const segmentDraftSchema = z.strictObject({
  id: segmentIdSchema,
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  description: z.string().max(2000).optional(),
  purpose: slugSchema,
  consentMode: z.enum(consentModes).default('opt-out'),
  rule: segmentRuleSchema,
});
export type SegmentDraft = z.infer<typeof segmentDraftSchema>;

export const segmentDefinitionSchema = segmentDraftSchema.extend({
  version: z.number().int().positive(),
});

/**
 * The definition that results from saving a draft over the current one: a new version when
 * anything that decides membership changed, the same version for a cosmetic edit, so that
 * renaming a segment does not make every member exit and re-enter.
 */
export function reviseSegment(current: SegmentDefinition | undefined, draft: SegmentDraft): SegmentDefinition {
  const base: SegmentDefinition = {
    id: draft.id,
    version: 1,
    name: draft.name,
    purpose: draft.purpose,
    consentMode: draft.consentMode,
    rule: draft.rule,
  };
  if (draft.description !== undefined) base.description = draft.description;
  if (current === undefined) return base;
  const decisive =
    current.purpose !== draft.purpose ||
    current.consentMode !== draft.consentMode ||
    canonicalJson(current.rule) !== canonicalJson(draft.rule);
  return { ...base, version: decisive ? current.version + 1 : current.version };
}

/** Segment membership: the purpose's consent first (a withdrawal ends membership at once), then the rule. */
export function evaluateMembership(
  segment: SegmentDefinition,
  profile: CustomerProfile,
  now: Date,
  options: Omit<EvaluationOptions, 'purpose'> = {},
): RuleResult {
  const consent = resolveConsent(profile.consent, segment.purpose);
  if (consent.status === 'withdrawn') {
    return { matched: false, reason: `consent for ${segment.purpose} withdrawn at ${consent.at}` };
  }
  if (segment.consentMode === 'opt-in' && consent.status !== 'granted') {
    return { matched: false, reason: `no consent for ${segment.purpose} (the segment is opt-in)` };
  }
  return evaluate(segment.rule, profile, now, { ...options, purpose: segment.purpose });
}

/**
 * Which event properties must be counted per value for the given segments' rules. The
 * projection can only count what it was told to track when the event arrived: a new filter
 * sees events from the time it is tracked on, not before (the platform keeps no raw event log).
 */
export function trackedProperties(rules: Iterable<SegmentRule>): TrackedProperties {
  const tracked: Record<string, string[]> = {};
  for (const rule of rules) {
    for (const node of ruleNodes(rule)) {
      if (!isCount(node) || node.count.where === undefined) continue;
      const list = (tracked[node.count.event] ??= []);
      if (!list.includes(node.count.where.property)) list.push(node.count.where.property);
    }
  }
  for (const list of Object.values(tracked)) list.sort();
  return tracked;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
