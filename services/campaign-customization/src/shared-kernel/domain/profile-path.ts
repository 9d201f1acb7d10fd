import { relationshipStages, valueTiers } from '@o2o/contracts';
import { resolveConsent } from './consent';
import type { CustomerProfile, ProfileFact, ProfileNeeds, ProfileValue } from './customer-profile';
import { DAY_MS } from './event-counter';

/** What a rule may do with a path is known from the path alone, except under facts and traits. */
export type PathKind =
  | { type: 'enum'; values: readonly string[]; noun: string }
  | { type: 'number' }
  | { type: 'string' }
  | { type: 'string-list' }
  /** facts.* and traits.*: the value's type is only known at evaluation. */
  | { type: 'dynamic' }
  /** Only "exists" makes sense (e.g. needs.nextQuestion). */
  | { type: 'presence' };

export interface PathReadContext {
  now: Date;
  /** Whether a fact may be used here (purpose compatibility, consent of its purpose). */
  factVisible: (fact: ProfileFact) => boolean;
}

export interface ResolvedPath {
  path: string;
  kind: PathKind;
  /** Values under this path may be personal data: reasons must not quote them. */
  personal: boolean;
  /** undefined when the profile does not know the value. */
  read: (profile: CustomerProfile, context: PathReadContext) => unknown;
}

export type PathResolution = { ok: true; path: ResolvedPath } | { ok: false; message: string };

export const pathRoots = ['value', 'needs', 'facts', 'traits', 'consent', 'identifiers'] as const;

const consentStatuses = ['granted', 'withdrawn'] as const;
const slug = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Field<T> = { kind: PathKind; read: (state: T, now: Date) => unknown };

const tierKind: PathKind = { type: 'enum', values: valueTiers, noun: 'tier' };
const stageKind: PathKind = { type: 'enum', values: relationshipStages, noun: 'stage' };
const num: PathKind = { type: 'number' };
const str: PathKind = { type: 'string' };

const valueFields: Record<string, Field<ProfileValue>> = {
  tier: { kind: tierKind, read: (v) => v.tier },
  previousTier: { kind: tierKind, read: (v) => v.previousTier },
  actualValue: { kind: num, read: (v) => v.actualValue },
  strategicValue: { kind: num, read: (v) => v.strategicValue },
  probabilityAlive: { kind: num, read: (v) => v.probabilityAlive },
  expectedPurchases: { kind: num, read: (v) => v.expectedPurchases },
  purchases: { kind: num, read: (v) => v.purchases },
  revenue: { kind: num, read: (v) => v.revenue },
  currency: { kind: str, read: (v) => v.currency },
  // Relative to evaluation time, because rules about recency ("no purchase for 90 days") must
  // not need editing every day.
  daysSinceLastPurchase: { kind: num, read: (v, now) => daysSince(v.lastPurchaseAt, now) },
  daysSinceFirstPurchase: { kind: num, read: (v, now) => daysSince(v.firstPurchaseAt, now) },
};

const needsFields: Record<string, Field<ProfileNeeds>> = {
  stage: { kind: stageKind, read: (n) => n.stage },
  previousStage: { kind: stageKind, read: (n) => n.previousStage },
  archetypes: { kind: { type: 'string-list' }, read: (n) => n.archetypes },
  unknown: { kind: { type: 'string-list' }, read: (n) => n.unknown },
  nextQuestion: { kind: { type: 'presence' }, read: (n) => n.nextQuestion },
  'nextQuestion.questionId': { kind: str, read: (n) => n.nextQuestion?.questionId },
  'nextQuestion.factKey': { kind: str, read: (n) => n.nextQuestion?.factKey },
  'nextQuestion.purpose': { kind: str, read: (n) => n.nextQuestion?.purpose },
  'nextQuestion.value': { kind: num, read: (n) => n.nextQuestion?.value },
};

/** Resolves a rule path once, at validation, so evaluation does no guessing. */
export function resolvePath(path: string): PathResolution {
  const dot = path.indexOf('.');
  const root = dot === -1 ? path : path.slice(0, dot);
  const rest = dot === -1 ? '' : path.slice(dot + 1);
  switch (root) {
    case 'value':
      return field(path, 'value', rest, valueFields, (p) => p.value);
    case 'needs':
      return field(path, 'needs', rest, needsFields, (p) => p.needs);
    case 'facts':
      if (!rest) return { ok: false, message: 'facts needs a fact key, e.g. "facts.room.smoking"' };
      return { ok: true, path: { path, kind: { type: 'dynamic' }, personal: false, read: (p, c) => readFact(p, rest, c) } };
    case 'traits':
      if (!rest) return { ok: false, message: 'traits needs a trait name, e.g. "traits.firstName"' };
      return { ok: true, path: { path, kind: { type: 'dynamic' }, personal: true, read: (p) => readNested(p.identity.traits, rest) } };
    case 'consent':
      return consentPath(path, rest);
    case 'identifiers':
      if (!rest || rest.length > 64) return { ok: false, message: 'identifiers needs an identifier type, e.g. "identifiers.email"' };
      return {
        ok: true,
        path: {
          path,
          kind: { type: 'string-list' },
          personal: true,
          read: (p) => {
            const values = p.identity.identifiers.filter((i) => i.type === rest).map((i) => i.value);
            return values.length > 0 ? values : undefined;
          },
        },
      };
    default:
      return { ok: false, message: `unknown path root "${root}": a path starts with one of ${pathRoots.join(', ')}` };
  }
}

function field<T>(
  path: string,
  root: string,
  rest: string,
  fields: Record<string, Field<T>>,
  state: (profile: CustomerProfile) => T | undefined,
): PathResolution {
  const spec = Object.prototype.hasOwnProperty.call(fields, rest) ? fields[rest] : undefined;
  if (spec === undefined) {
    return { ok: false, message: `unknown field "${rest}" under ${root}: known fields are ${Object.keys(fields).join(', ')}` };
  }
  return {
    ok: true,
    path: {
      path,
      kind: spec.kind,
      personal: false,
      read: (profile, context) => {
        const s = state(profile);
        return s === undefined ? undefined : spec.read(s, context.now);
      },
    },
  };
}

function consentPath(path: string, rest: string): PathResolution {
  const parts = rest ? rest.split('.') : [];
  const [purpose, channel] = parts;
  if (purpose === undefined || parts.length > 2) {
    return { ok: false, message: 'consent paths are "consent.<purpose>" or "consent.<purpose>.<channel>"' };
  }
  if (!slug.test(purpose) || (channel !== undefined && !slug.test(channel))) {
    return { ok: false, message: 'consent purpose and channel must be lower-case slugs' };
  }
  return {
    ok: true,
    path: {
      path,
      kind: { type: 'enum', values: consentStatuses, noun: 'consent status' },
      personal: false,
      read: (p) => {
        const resolved = resolveConsent(p.consent, purpose, channel);
        return resolved.status === 'unknown' ? undefined : resolved.status;
      },
    },
  };
}

function readFact(profile: CustomerProfile, key: string, context: PathReadContext): unknown {
  let best: ProfileFact | undefined;
  for (const fact of profile.needs?.facts ?? []) {
    if (fact.key !== key || !context.factVisible(fact)) continue;
    // What the customer said beats what was inferred; otherwise the newest observation.
    if (best === undefined || rank(fact) > rank(best)) best = fact;
  }
  return best?.value;
}

function rank(fact: ProfileFact): number {
  return (fact.kind === 'explicit' ? 1e15 : 0) + Date.parse(fact.observedAt);
}

function readNested(root: Record<string, unknown>, path: string): unknown {
  let current: unknown = root;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function daysSince(at: string | undefined, now: Date): number | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? Math.floor((now.getTime() - ms) / DAY_MS) : undefined;
}
