import { sameJson } from './canonical-json';
import { sameFact, type ActivityState, type EvidenceKind, type Fact, type NeedsProfile, type StageTransition } from './needs-profile';

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

  for (const kind of ['categories', 'purchases', 'channels', 'engagement'] as const) {
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

  if (!sameJson(before.activity, after.activity))
    changes.push({ type: 'activity-recorded', before: before.activity, after: after.activity });

  const seen = new Set(before.stage.transitions.map(transitionId));
  const newTransitions = after.stage.transitions.filter((t) => !seen.has(transitionId(t)));
  for (const transition of newTransitions) changes.push({ type: 'stage-changed', transition });
  if (newTransitions.length === 0 && !sameJson(before.stage, after.stage))
    changes.push({ type: 'stage-reason-updated', reason: after.stage.reason });

  const added = after.archetypes.filter((a) => !before.archetypes.includes(a));
  const removed = before.archetypes.filter((a) => !after.archetypes.includes(a));
  if (added.length > 0 || removed.length > 0) changes.push({ type: 'archetypes-changed', added, removed });

  if (after.clock !== undefined && after.clock !== before.clock) changes.push({ type: 'clock-advanced', clock: after.clock });

  if (!sameJson(before.mergedIds, after.mergedIds)) changes.push({ type: 'customers-merged', mergedIds: after.mergedIds });
  return changes;
}
