import { recordAsked, type ProfileLimit } from './apply-event';
import { unionEvidence } from './evidence';
import { foldExplicit } from './explicit-facts';
import { earlierOf, laterOf } from './instant';
import type { ActivityState, NeedsProfile } from './needs-profile';
import { diffProfiles, type ProfileChange } from './profile-changes';
import { rederive } from './profile-derivation';
import type { ProfilingConfig } from './profiling-config';

export interface MergeResult {
  profile: NeedsProfile;
  /** Changes relative to the survivor's profile. */
  changes: ProfileChange[];
  /** Bounds that applied: what the service counts and logs. */
  limits: ProfileLimit[];
}

/**
 * Folds the profile of a customer merged away into the survivor's. Every piece of state is a
 * join (newest explicit observation wins and the others stay as history, evidence sets unite,
 * registers take min/max), so the merged knowledge does not depend on which side survived or on
 * how often the merge is applied. Only the identity (customer id, transition log) is the
 * survivor's.
 */
export function mergeProfiles(survivor: NeedsProfile, merged: NeedsProfile, config: ProfilingConfig): MergeResult {
  const explicit = foldExplicit(
    survivor.facts,
    survivor.factHistory,
    [...merged.facts.filter((f) => f.kind === 'explicit'), ...merged.factHistory],
    // Both customers' facts are the customer's own word: the cap on keys must not drop them.
    { ...config.explicit, maxFacts: Number.MAX_SAFE_INTEGER },
  );
  const limits = new Set<ProfileLimit>();
  const kept = config.questionBank.askedKept;
  let asked = survivor.asked;
  for (const entry of merged.asked) {
    const recorded = recordAsked(asked, entry, kept);
    asked = recorded.asked;
    if (recorded.dropped) limits.add('asked-questions');
  }
  let declined = survivor.declined;
  for (const entry of merged.declined ?? []) {
    const recorded = recordAsked(declined ?? [], entry, kept);
    declined = recorded.asked;
    if (recorded.dropped) limits.add('declined-questions');
  }

  const a = survivor.activity;
  const b = merged.activity;
  const activity: ActivityState = {};
  const firstSeenAt = earlierOf(a.firstSeenAt, b.firstSeenAt);
  const lastActivityAt = laterOf(a.lastActivityAt, b.lastActivityAt);
  const firstPurchaseAt = earlierOf(a.firstPurchaseAt, b.firstPurchaseAt);
  if (firstSeenAt !== undefined) activity.firstSeenAt = firstSeenAt;
  if (lastActivityAt !== undefined) activity.lastActivityAt = lastActivityAt;
  if (firstPurchaseAt !== undefined) activity.firstPurchaseAt = firstPurchaseAt;

  const mergedIds = [...new Set([...survivor.mergedIds, ...merged.mergedIds, merged.customerId])]
    .filter((id) => id !== survivor.customerId)
    .sort();

  const folded: NeedsProfile = {
    ...survivor,
    facts: explicit.facts,
    factHistory: explicit.history,
    evidence: unionEvidence(survivor.evidence, merged.evidence, config.evidenceLimits),
    asked,
    ...(declined !== undefined ? { declined } : {}),
    activity,
    clock: laterOf(survivor.clock, merged.clock),
    mergedIds,
  };
  const { profile } = rederive(folded, config, 'merge');
  return { profile, changes: diffProfiles(survivor, profile), limits: [...limits] };
}
