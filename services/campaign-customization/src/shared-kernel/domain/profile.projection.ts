import type { IdentitySnapshotDataV1, NeedsProfiledDataV1, ResolvedEventDataV1, ValueScoredDataV1 } from '@o2o/contracts';
import { applyConsentDecision, mergeConsent, type ConsentRecord } from './consent';
import type { CustomerProfile, ProfileNeeds, ProfileValue } from './customer-profile';
import { MAX_WINDOW_DAYS, mergeCounters, recordEvent, type TrackedProperties } from './event-counter';

export type ProfileLimitName = 'counter-series' | 'counter-value' | 'traits';

/** Bounds of one customer's profile (see event-counter's CounterLimits); onLimit is told when one applies. */
export interface ProfileLimits {
  counterSeries: number;
  counterValue: number;
  /** Trait names kept: a new name beyond it is ignored (known ones are still updated). */
  traits: number;
  onLimit?: (limit: ProfileLimitName) => void;
}

/**
 * Pure folds of the upstream topics into the combined profile. The value, needs and identity
 * topics carry full state, so applying one replaces that part; a state older than the one held
 * (a replay, or a reorder across a rebalance) changes nothing, which makes these folds safe to
 * repeat. Event counters are the exception: the projection must record applied event ids.
 */
export function applyValueScored(profile: CustomerProfile, data: ValueScoredDataV1): CustomerProfile {
  if (profile.value !== undefined && isOlder(data.updatedAt, profile.value.updatedAt)) return profile;
  const value: ProfileValue = {
    tier: data.tier,
    actualValue: data.actualValue,
    strategicValue: data.strategicValue,
    purchases: data.purchases,
    revenue: data.revenue,
    currency: data.currency,
    modelVersion: data.modelVersion,
    updatedAt: data.updatedAt,
  };
  if (data.previousTier !== undefined) value.previousTier = data.previousTier;
  if (data.probabilityAlive !== undefined) value.probabilityAlive = data.probabilityAlive;
  if (data.expectedPurchases !== undefined) value.expectedPurchases = data.expectedPurchases;
  if (data.lastPurchaseAt !== undefined) value.lastPurchaseAt = data.lastPurchaseAt;
  if (data.firstPurchaseAt !== undefined) value.firstPurchaseAt = data.firstPurchaseAt;
  return { ...profile, value };
}

export function applyNeedsProfiled(profile: CustomerProfile, data: NeedsProfiledDataV1): CustomerProfile {
  if (profile.needs !== undefined && isOlder(data.updatedAt, profile.needs.updatedAt)) return profile;
  const needs: ProfileNeeds = {
    stage: data.stage,
    stageReason: data.stageReason,
    facts: data.facts.map((f) => ({
      key: f.key,
      value: f.value,
      kind: f.kind,
      channel: f.channel,
      purpose: f.purpose,
      confidence: f.confidence,
      observedAt: f.observedAt,
    })),
    archetypes: [...data.archetypes],
    unknown: [...data.unknown],
    updatedAt: data.updatedAt,
  };
  if (data.previousStage !== undefined) needs.previousStage = data.previousStage;
  if (data.nextQuestion !== undefined) needs.nextQuestion = { ...data.nextQuestion };
  if (data.stageGuidance !== undefined) needs.stageGuidance = { ...data.stageGuidance, content: [...data.stageGuidance.content] };
  return { ...profile, needs };
}

export function applyIdentitySnapshot(profile: CustomerProfile, data: IdentitySnapshotDataV1): CustomerProfile {
  const held = profile.identity.updatedAt;
  if (held !== undefined && isOlder(data.updatedAt, held)) return profile;
  return {
    ...profile,
    identity: {
      ...profile.identity,
      identifiers: data.identifiers.map((i) => ({ ...i })),
      mergedIds: [...data.mergedIds],
      updatedAt: data.updatedAt,
    },
  };
}

/**
 * A resolved event: identify traits are merged over the held ones (Segment semantics: traits
 * accumulate), track events are counted. now is processing time, which decides what is too old
 * to count.
 */
export function applyResolvedEvent(
  profile: CustomerProfile,
  data: ResolvedEventDataV1,
  tracked: TrackedProperties,
  now: Date,
  retentionDays = MAX_WINDOW_DAYS,
  limits?: ProfileLimits,
): CustomerProfile {
  let next = profile;
  if (data.eventType === 'identify' && data.traits !== undefined) {
    next = { ...next, identity: { ...next.identity, traits: mergeTraits(next.identity.traits, data.traits, limits) } };
  }
  if (data.eventType === 'track' && data.event !== undefined) {
    const counterLimits = limits
      ? { maxSeries: limits.counterSeries, maxCount: limits.counterValue, ...(limits.onLimit ? { onLimit: limits.onLimit } : {}) }
      : undefined;
    const counters = recordEvent(
      next.counters,
      { name: data.event, properties: data.properties, at: data.timestamp },
      tracked,
      now,
      retentionDays,
      counterLimits,
    );
    next = { ...next, counters };
  }
  return next;
}

/** Segment semantics (new traits over the held ones), within the limit on trait names. */
function mergeTraits(
  held: Record<string, unknown>,
  incoming: Record<string, unknown>,
  limits: ProfileLimits | undefined,
): Record<string, unknown> {
  const merged = { ...held, ...incoming };
  if (!limits || Object.keys(merged).length <= limits.traits) return merged;
  const kept: Record<string, unknown> = { ...held };
  let room = limits.traits - Object.keys(held).length;
  for (const [name, value] of Object.entries(incoming)) {
    if (name in kept) kept[name] = value;
    else if (room > 0) {
      kept[name] = value;
      room--;
    }
  }
  limits.onLimit?.('traits');
  return kept;
}

export function applyConsent(profile: CustomerProfile, decision: ConsentRecord): CustomerProfile {
  return { ...profile, consent: applyConsentDecision(profile.consent, decision) };
}

/**
 * The survivor's profile after a merge. Value and needs: the survivor's, else the merged one's,
 * until the upstream services publish the recomputed state for the survivor. Traits: the
 * survivor's win. Consent: the later decision per purpose and channel. Counters: summed.
 */
export function mergeProfiles(survivor: CustomerProfile, merged: CustomerProfile): CustomerProfile {
  const identifiers = [...survivor.identity.identifiers];
  for (const id of merged.identity.identifiers) {
    if (!identifiers.some((i) => i.type === id.type && i.value === id.value)) identifiers.push({ ...id });
  }
  const mergedIds = [...new Set([...survivor.identity.mergedIds, merged.customerId, ...merged.identity.mergedIds])];
  const result: CustomerProfile = {
    customerId: survivor.customerId,
    identity: {
      ...survivor.identity,
      identifiers,
      mergedIds,
      traits: { ...merged.identity.traits, ...survivor.identity.traits },
    },
    consent: mergeConsent(survivor.consent, merged.consent),
    counters: mergeCounters(survivor.counters, merged.counters),
  };
  const value = survivor.value ?? merged.value;
  const needs = survivor.needs ?? merged.needs;
  if (value !== undefined) result.value = value;
  if (needs !== undefined) result.needs = needs;
  return result;
}

function isOlder(candidate: string, held: string): boolean {
  return Date.parse(candidate) < Date.parse(held);
}
