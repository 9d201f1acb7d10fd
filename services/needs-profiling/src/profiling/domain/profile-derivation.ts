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
export function rederive(
  profile: NeedsProfile,
  config: ProfilingConfig,
  cause: StageTransition['cause'],
  sourceEventId?: string,
): { profile: NeedsProfile; transition?: StageTransition } {
  const asOf = profile.clock;
  if (asOf === undefined) return { profile };
  const explicit = profile.facts.filter((f) => f.kind === 'explicit');
  const facts = sortFacts([...explicit, ...inferredFacts(profile, asOf, config)]);
  const withFacts: NeedsProfile = { ...profile, facts };
  const decision = classifyStage(withFacts, asOf, config.stages);
  const { state, transition } = withStage(profile.stage, decision, asOf, cause, config.stages, sourceEventId);
  const archetypes = deriveArchetypes({ facts: effectiveFactMap(withFacts), stage: state.current }, config.archetypes);
  const next: NeedsProfile = { ...withFacts, stage: state, archetypes };
  return transition ? { profile: next, transition } : { profile: next };
}
