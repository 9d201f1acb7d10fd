import { sameJson } from './canonical-json';
import {
  sameFact,
  type ActivityState,
  type EvidenceKind,
  type Fact,
  type NeedsProfile,
  type StageState,
  type StageTransition,
} from './needs-profile';

function sameFacts(a: readonly Fact[], b: readonly Fact[]): boolean {
  return (
    a.length === b.length &&
    a.every((fact, i) => {
      const other = b[i];
      return other !== undefined && sameFact(fact, other);
    })
  );
}

/**
 * What an operation changed in the profile. The list is empty exactly when the profile is
 * unchanged, so the service can skip the write (and a redelivered event costs no write).
 */
export type ProfileChange =
  | { type: 'fact-added'; fact: Fact }
  | { type: 'fact-changed'; before: Fact; after: Fact }
  | { type: 'fact-removed'; fact: Fact }
  | { type: 'history-changed'; keys: string[] }
  | { type: 'evidence-recorded'; kind: EvidenceKind; ids: string[] }
  | { type: 'evidence-dropped'; kind: EvidenceKind; ids: string[] }
  | { type: 'question-asked'; questionId: string; at: string }
  | { type: 'question-declined'; questionId: string; at: string }
  | { type: 'activity-recorded'; before: ActivityState; after: ActivityState }
  | { type: 'stage-changed'; transition: StageTransition }
  | { type: 'stage-reason-updated'; reason: string }
  | { type: 'archetypes-changed'; added: string[]; removed: string[] }
  | { type: 'clock-advanced'; clock: string }
  | { type: 'customers-merged'; mergedIds: string[] };

const factId = (f: Fact) => `${f.key}\u0000${f.kind}`;
const transitionId = (t: StageTransition) => `${t.at}|${t.from}|${t.to}|${t.cause}|${t.sourceEventId ?? ''}`;

const EVIDENCE_KINDS = ['categories', 'purchases', 'channels', 'engagement'] as const;

function sameIds(a: ReadonlyArray<{ id: string }>, b: ReadonlyArray<{ id: string }>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((item, i) => item.id === b[i]?.id);
}

// Every field of each type, so that a field added to one is a compile error here, not a change the diff misses.
const ACTIVITY_FIELDS = Object.keys({ firstSeenAt: 0, lastActivityAt: 0, firstPurchaseAt: 0 } satisfies Record<
  keyof ActivityState,
  0
>) as Array<keyof ActivityState>;
const STAGE_FIELDS_BESIDE_TRANSITIONS = Object.keys({ current: 0, previous: 0, reason: 0, since: 0 } satisfies Record<
  Exclude<keyof StageState, 'transitions'>,
  0
>) as Array<Exclude<keyof StageState, 'transitions'>>;

/** The activity registers compared one by one (instants as text): what sameJson answered, without serialising both on every event. */
function sameActivity(a: ActivityState, b: ActivityState): boolean {
  return ACTIVITY_FIELDS.every((field) => a[field] === b[field]);
}

/** What sameJson answers for two stage states, without serialising their transitions when both hold the same list. */
function sameStage(a: StageState, b: StageState): boolean {
  if (a === b) return true;
  if (a.transitions !== b.transitions) return sameJson(a, b);
  return STAGE_FIELDS_BESIDE_TRANSITIONS.every((field) => a[field] === b[field]);
}

/** Transitions of `after` not in `before`; none when the stage kept its list (no transition), without keying every one. */
function addedTransitions(before: readonly StageTransition[], after: readonly StageTransition[]): StageTransition[] {
  if (before === after) return [];
  const seen = new Set(before.map(transitionId));
  return after.filter((t) => !seen.has(transitionId(t)));
}

export function diffProfiles(before: NeedsProfile, after: NeedsProfile): ProfileChange[] {
  const changes: ProfileChange[] = [];

  const old = new Map(before.facts.map((f) => [factId(f), f]));
  const now = new Map(after.facts.map((f) => [factId(f), f]));
  for (const [id, fact] of now) {
    const was = old.get(id);
    if (!was) changes.push({ type: 'fact-added', fact });
    else if (!sameFact(was, fact)) changes.push({ type: 'fact-changed', before: was, after: fact });
  }
  for (const [id, fact] of old) if (!now.has(id)) changes.push({ type: 'fact-removed', fact });

  if (!sameFacts(before.factHistory, after.factHistory)) {
    const keys = new Set([...before.factHistory, ...after.factHistory].map((f) => f.key));
    const changed = [...keys].filter(
      (key) =>
        !sameFacts(
          before.factHistory.filter((f) => f.key === key),
          after.factHistory.filter((f) => f.key === key),
        ),
    );
    changes.push({ type: 'history-changed', keys: changed.sort() });
  }

  for (const kind of EVIDENCE_KINDS) {
    // Most events leave most sets as they were: the same ids in the same order, nothing to list.
    if (sameIds(before.evidence[kind], after.evidence[kind])) continue;
    const was = new Set(before.evidence[kind].map((e) => e.id));
    const is = new Set(after.evidence[kind].map((e) => e.id));
    const recorded = [...is].filter((id) => !was.has(id));
    const dropped = [...was].filter((id) => !is.has(id));
    if (recorded.length > 0) changes.push({ type: 'evidence-recorded', kind, ids: recorded });
    if (dropped.length > 0) changes.push({ type: 'evidence-dropped', kind, ids: dropped });
  }

  for (const asked of after.asked) {
    const was = before.asked.find((a) => a.questionId === asked.questionId);
    if (!was || !sameJson(was, asked)) changes.push({ type: 'question-asked', questionId: asked.questionId, at: asked.at });
  }

  for (const declined of after.declined ?? []) {
    const was = (before.declined ?? []).find((d) => d.questionId === declined.questionId);
    if (!was || !sameJson(was, declined)) changes.push({ type: 'question-declined', questionId: declined.questionId, at: declined.at });
  }

  if (!sameActivity(before.activity, after.activity))
    changes.push({ type: 'activity-recorded', before: before.activity, after: after.activity });

  const newTransitions = addedTransitions(before.stage.transitions, after.stage.transitions);
  for (const transition of newTransitions) changes.push({ type: 'stage-changed', transition });
  if (newTransitions.length === 0 && !sameStage(before.stage, after.stage))
    changes.push({ type: 'stage-reason-updated', reason: after.stage.reason });

  const added = after.archetypes.filter((a) => !before.archetypes.includes(a));
  const removed = before.archetypes.filter((a) => !after.archetypes.includes(a));
  if (added.length > 0 || removed.length > 0) changes.push({ type: 'archetypes-changed', added, removed });

  if (after.clock !== undefined && after.clock !== before.clock) changes.push({ type: 'clock-advanced', clock: after.clock });

  if (!sameJson(before.mergedIds, after.mergedIds)) changes.push({ type: 'customers-merged', mergedIds: after.mergedIds });
  return changes;
}
