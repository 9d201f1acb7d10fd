import { laterOf, normaliseInstant } from './instant';
import type { NeedsProfile, StageTransition } from './needs-profile';
import { diffProfiles, type ProfileChange } from './profile-changes';
import { rederive } from './profile-derivation';
import type { ProfilingConfig } from './profiling-config';

export interface EvaluateResult {
  profile: NeedsProfile;
  /** Usually at least `clock-advanced`; storing the result matters only when `transition` is set. */
  changes: ProfileChange[];
  /** Set when time moved the customer to another stage (lapsing, lost): persist and publish. */
  transition?: StageTransition;
}

/**
 * Lets time pass: moves the profile's clock to `now` (never backwards) and re-derives what
 * depends on time: lapsing and lost stages, decayed confidences, archetypes that depend on them.
 * Called by a scheduled sweep; the clock is stored so that a late event cannot undo the sweep.
 */
export function evaluateStage(profile: NeedsProfile, now: string, config: ProfilingConfig): EvaluateResult {
  const clock = laterOf(profile.clock, normaliseInstant(now));
  const { profile: next, transition } = rederive({ ...profile, clock }, config, 'time');
  const changes = diffProfiles(profile, next);
  return transition ? { profile: next, changes, transition } : { profile: next, changes };
}
