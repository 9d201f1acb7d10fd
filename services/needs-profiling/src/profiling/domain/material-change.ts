import type { NeedsFactV1, NeedsProfiledDataV1 } from '@o2o/contracts';
import type { MaterialityConfig } from './profiling-config';

export type MaterialChange =
  | { kind: 'first-publication' }
  | { kind: 'stage'; from: string; to: string }
  | { kind: 'fact-added'; key: string }
  | { kind: 'fact-removed'; key: string }
  | { kind: 'fact-changed'; key: string }
  | { kind: 'archetypes' }
  | { kind: 'next-question'; from?: string; to?: string }
  | { kind: 'next-question-priority'; questionId: string }
  | { kind: 'stage-guidance' }
  | { kind: 'unknown' };

/**
 * Whether the profile must be republished, judged on what consumers see and against what was
 * last published (not against the previous event's state): small drifts of inferred numbers
 * would otherwise either republish on every product view or, compared step by step, never add
 * up to a republication. A restated explicit fact with the same value is not a change; if it
 * refreshes a stale answer, the next question and the unknown list change and carry it.
 */
export function materialChanges(
  lastPublished: NeedsProfiledDataV1 | undefined,
  next: NeedsProfiledDataV1,
  thresholds: MaterialityConfig,
): MaterialChange[] {
  if (!lastPublished) return [{ kind: 'first-publication' }];
  const changes: MaterialChange[] = [];
  if (lastPublished.stage !== next.stage) changes.push({ kind: 'stage', from: lastPublished.stage, to: next.stage });

  const before = new Map(lastPublished.facts.map((f) => [f.key, f]));
  const after = new Map(next.facts.map((f) => [f.key, f]));
  for (const [key, fact] of after) {
    const was = before.get(key);
    if (!was) changes.push({ kind: 'fact-added', key });
    else if (factMoved(was, fact, thresholds)) changes.push({ kind: 'fact-changed', key });
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push({ kind: 'fact-removed', key });

  if (!sameSet(lastPublished.archetypes, next.archetypes)) changes.push({ kind: 'archetypes' });
  const q0 = lastPublished.nextQuestion?.questionId;
  const q1 = next.nextQuestion?.questionId;
  if (q0 !== q1) {
    const change: MaterialChange = { kind: 'next-question' };
    if (q0 !== undefined) change.from = q0;
    if (q1 !== undefined) change.to = q1;
    changes.push(change);
  }
  // The same question with another priority (the customer's value moved it): what ranks customers for asking changed.
  else if (q1 !== undefined && lastPublished.nextQuestion?.value !== next.nextQuestion?.value)
    changes.push({ kind: 'next-question-priority', questionId: q1 });
  if (!sameSet(lastPublished.unknown, next.unknown)) changes.push({ kind: 'unknown' });
  // Contact caps read it: a profile published without it (or with other guidance) is republished.
  if (JSON.stringify(lastPublished.stageGuidance) !== JSON.stringify(next.stageGuidance)) changes.push({ kind: 'stage-guidance' });
  return changes;
}

export function isMaterialChange(
  lastPublished: NeedsProfiledDataV1 | undefined,
  next: NeedsProfiledDataV1,
  thresholds: MaterialityConfig,
): boolean {
  return materialChanges(lastPublished, next, thresholds).length > 0;
}

function factMoved(was: NeedsFactV1, is: NeedsFactV1, thresholds: MaterialityConfig): boolean {
  if (was.kind !== is.kind || was.purpose !== is.purpose) return true;
  if (Math.abs(was.confidence - is.confidence) >= thresholds.confidenceDelta) return true;
  if (typeof was.value === 'number' && typeof is.value === 'number' && is.kind === 'inferred') {
    return Math.abs(was.value - is.value) >= thresholds.valueDelta;
  }
  return was.value !== is.value;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
