import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { MembershipChange, MembershipDiff, Memberships } from '../../shared-kernel/domain/membership';
import { evaluateMembership, type SegmentDefinition } from './segment-definition';
import type { EvaluationOptions } from './segment-rule.evaluator';

export type { MembershipChange, MembershipDiff, Memberships } from '../../shared-kernel/domain/membership';

/** Why memberships are being recomputed; only the reasons differ. */
export type MembershipCause =
  | { kind: 'profile-change' }
  | { kind: 'segment-change' }
  | { kind: 'merge'; mergedId: string }
  | { kind: 'split'; fromCustomerId: string }
  | { kind: 'consent-change' };

/**
 * Recomputes every active segment for the profile and returns the changes against previous.
 * A segment whose definition moved to a new version is exited at the old version and entered at
 * the new one when the customer still qualifies, so a downstream consumer holding (id, version)
 * pairs never has to guess. Segments no longer defined are exited.
 */
export function diffMemberships(
  previous: Memberships,
  segments: readonly SegmentDefinition[],
  profile: CustomerProfile,
  now: Date,
  cause: MembershipCause = { kind: 'profile-change' },
  options: Omit<EvaluationOptions, 'purpose'> = {},
): MembershipDiff {
  const changedAt = now.toISOString();
  const exits: MembershipChange[] = [];
  const entries: MembershipChange[] = [];
  const current: Record<string, number> = {};
  const defined = new Map(segments.map((s) => [s.id, s]));
  const prefix = causePrefix(cause);
  const matchOnly = { ...options, reasons: false };
  for (const segment of segments) {
    const was = own(previous, segment.id);
    // Most segments keep their answer: whether it matched is enough, and only a change needs
    // its reason, from the same evaluation (pure: the same rule, profile and time) with text.
    const matched = evaluateMembership(segment, profile, now, matchOnly).matched;
    if (matched ? was === segment.version : was === undefined) {
      if (matched) current[segment.id] = segment.version;
      continue;
    }
    const result = evaluateMembership(segment, profile, now, options);
    if (result.matched) {
      current[segment.id] = segment.version;
      if (was === segment.version) continue;
      if (was !== undefined) {
        exits.push({
          segmentId: segment.id,
          segmentVersion: was,
          change: 'exited',
          reason: `segment redefined as version ${segment.version}`,
          changedAt,
        });
      }
      entries.push({
        segmentId: segment.id,
        segmentVersion: segment.version,
        change: 'entered',
        reason: prefix + result.reason,
        changedAt,
      });
    } else if (was !== undefined) {
      exits.push({ segmentId: segment.id, segmentVersion: was, change: 'exited', reason: prefix + result.reason, changedAt });
    }
  }
  for (const [segmentId, version] of Object.entries(previous)) {
    if (!defined.has(segmentId)) {
      exits.push({ segmentId, segmentVersion: version, change: 'exited', reason: 'segment removed', changedAt });
    }
  }
  return { current, changes: [...sortById(exits), ...sortById(entries)] };
}

export interface MergeMembershipInput {
  /** Memberships of the survivor and of the customer merged into it, before the merge. */
  survivorPrevious: Memberships;
  mergedPrevious: Memberships;
  mergedId: string;
  survivorId: string;
  /** The survivor's profile after folding the merged customer's profile into it. */
  survivorProfile: CustomerProfile;
  segments: readonly SegmentDefinition[];
  /** The merge time. */
  now: Date;
}

/**
 * Compensating changes for a merge. The merged customer id ceases to exist, so it exits every
 * segment it was in; the survivor's memberships are recomputed on the folded profile. An entry
 * the merged customer already had says so in its reason, so a consumer can tell a carried-over
 * membership from a new one.
 */
export function mergeMemberships(
  input: MergeMembershipInput,
  options: Omit<EvaluationOptions, 'purpose'> = {},
): {
  survivor: MembershipDiff;
  merged: MembershipDiff;
} {
  const survivor = diffMemberships(
    input.survivorPrevious,
    input.segments,
    input.survivorProfile,
    input.now,
    { kind: 'merge', mergedId: input.mergedId },
    options,
  );
  survivor.changes = survivor.changes.map((c) =>
    c.change === 'entered' && own(input.mergedPrevious, c.segmentId) !== undefined
      ? { ...c, reason: `carried over from merged customer ${input.mergedId}; ${c.reason}` }
      : c,
  );
  const merged = exitAll(input.mergedPrevious, `merged into customer ${input.survivorId}`, input.now);
  return { survivor, merged };
}

/** Exits of every membership: for a customer merged away or erased. */
export function exitAll(previous: Memberships, reason: string, now: Date): MembershipDiff {
  const changedAt = now.toISOString();
  const changes = Object.entries(previous).map(([segmentId, segmentVersion]): MembershipChange => ({
    segmentId,
    segmentVersion,
    change: 'exited',
    reason,
    changedAt,
  }));
  return { current: {}, changes: sortById(changes) };
}

/**
 * The exits a withdrawal of purpose forces, computed without evaluating any rule: what a
 * consent consumer can publish at once, before the profile is even loaded. A full
 * recomputation afterwards finds nothing more to do for these segments.
 */
export function withdrawalExits(
  previous: Memberships,
  segments: readonly SegmentDefinition[],
  purpose: string,
  withdrawnAt: Date,
): MembershipDiff {
  const changedAt = withdrawnAt.toISOString();
  const byId = new Map(segments.map((s) => [s.id, s]));
  const current: Record<string, number> = {};
  const changes: MembershipChange[] = [];
  for (const [segmentId, version] of Object.entries(previous)) {
    if (byId.get(segmentId)?.purpose === purpose) {
      changes.push({ segmentId, segmentVersion: version, change: 'exited', reason: `consent for ${purpose} withdrawn`, changedAt });
    } else {
      current[segmentId] = version;
    }
  }
  return { current, changes: sortById(changes) };
}

/** Folds changes into memberships, as a downstream consumer of the topic would. */
export function applyMembershipChanges(previous: Memberships, changes: readonly MembershipChange[]): Record<string, number> {
  const next: Record<string, number> = { ...previous };
  for (const change of changes) {
    if (change.change === 'entered') next[change.segmentId] = change.segmentVersion;
    else if (next[change.segmentId] === change.segmentVersion) delete next[change.segmentId];
  }
  return next;
}

function causePrefix(cause: MembershipCause): string {
  switch (cause.kind) {
    case 'profile-change':
      return '';
    case 'segment-change':
      return 'segment definition changed: ';
    case 'merge':
      return `merged with customer ${cause.mergedId}: `;
    case 'split':
      return `split from customer ${cause.fromCustomerId}: `;
    case 'consent-change':
      return 'consent changed: ';
  }
}

function own(memberships: Memberships, segmentId: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(memberships, segmentId) ? memberships[segmentId] : undefined;
}

function sortById(changes: MembershipChange[]): MembershipChange[] {
  return [...changes].sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
}
