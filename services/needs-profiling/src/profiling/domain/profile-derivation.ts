import { deriveArchetypes } from './archetype.rules';
import { deriveCategoryAffinities } from './category-affinity';
import { deriveChannelPreference } from './channel-preference';
import { effectiveFactMap, sortFacts, type Fact, type NeedsProfile, type StageTransition } from './needs-profile';
import type { ProfilingConfig } from './profiling-config';
import { deriveGiftBuying, derivePriceSensitivity } from './purchase-habits';
import { classifyStage, withStage } from './stage.machine';

export function inferredFacts(profile: Pick<NeedsProfile, 'evidence'>, asOf: string, config: ProfilingConfig): Fact[] {
  return [
    ...deriveCategoryAffinities(profile.evidence.categories, asOf, config.affinity),
    ...deriveChannelPreference(profile.evidence.channels, asOf, config.channelPreference),
    ...derivePriceSensitivity(profile.evidence.purchases, config.priceSensitivity),
    ...deriveGiftBuying(profile.evidence.purchases, config.giftBuying),
  ];
}

/**
 * Recomputes everything derived (inferred facts, stage, archetypes) from the stored state at the
 * profile's clock. Running it twice gives the same profile, which is what makes re-application
 * of an event a no-op all the way through.
 */
/** Explicit fact recording the customer's choice about profiling (inference from behaviour). */
export const PROFILING_CONSENT_KEY = 'consent.profiling';

export function rederive(
  profile: NeedsProfile,
  config: ProfilingConfig,
  cause: StageTransition['cause'],
  sourceEventId?: string,
): { profile: NeedsProfile; transition?: StageTransition } {
  const asOf = profile.clock;
  if (asOf === undefined) return { profile };
  const explicit = profile.facts.filter((f) => f.kind === 'explicit');
  // Inference is profiling: a customer who withdrew profiling consent keeps only what they told us.
  const profilingAllowed = !explicit.some((f) => f.key === PROFILING_CONSENT_KEY && f.value === false);
  const facts = sortFacts([...explicit, ...(profilingAllowed ? inferredFacts(profile, asOf, config) : [])]);
  const withFacts: NeedsProfile = { ...profile, facts };
  const decision = classifyStage(withFacts, asOf, config.stages);
  const { state, transition } = withStage(profile.stage, decision, asOf, cause, config.stages, sourceEventId);
  const archetypes = profilingAllowed
    ? deriveArchetypes({ facts: effectiveFactMap(withFacts), stage: state.current }, config.archetypes)
    : [];
  const next: NeedsProfile = { ...withFacts, stage: state, archetypes };
  return transition ? { profile: next, transition } : { profile: next };
}
