import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { evidenceOf, isCustomerActivity, isPurchase, unionEvidence } from './evidence';
import { readString } from './event-reading';
import { explicitObservations, foldExplicit, type SkippedInput } from './explicit-facts';
import { compareInstants, earlierOf, laterOf, normaliseInstant } from './instant';
import type { AskedQuestion, NeedsProfile } from './needs-profile';
import { diffProfiles, type ProfileChange } from './profile-changes';
import { rederive } from './profile-derivation';
import type { ProfilingConfig } from './profiling-config';

export class CustomerMismatchError extends Error {
  constructor(
    readonly profileCustomerId: string,
    readonly eventCustomerId: string,
  ) {
    super(`event for customer ${eventCustomerId} applied to the profile of ${profileCustomerId}`);
    this.name = 'CustomerMismatchError';
  }
}

export interface ApplyResult {
  profile: NeedsProfile;
  /** Empty when the event taught nothing new (e.g. a redelivery): no write needed. */
  changes: ProfileChange[];
  /** Parts of the event that could not be used, for metrics; not errors. */
  skipped: SkippedInput[];
}

/** Keeps, per question, the latest asking: a max register, so order and repetition do not matter. */
export function recordAsked(asked: readonly AskedQuestion[], entry: AskedQuestion): AskedQuestion[] {
  const others = asked.filter((a) => a.questionId !== entry.questionId);
  const current = asked.find((a) => a.questionId === entry.questionId);
  const byTime = current ? compareInstants(entry.at, current.at) : 1;
  const newer = !current || byTime > 0 || (byTime === 0 && entry.sourceEventId > current.sourceEventId);
  return [...others, newer ? entry : current].sort((a, b) => (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : 0));
}

/**
 * Folds one resolved event into the profile. Pure, deterministic and idempotent: see
 * `NeedsProfile` for why re-applying, reordering or redelivering events is a no-op.
 * Events of customers merged into this one are accepted (the service maps them here).
 */
export function applyEvent(profile: NeedsProfile, event: ResolvedEventDataV1, config: ProfilingConfig): ApplyResult {
  if (event.customerId !== profile.customerId && !profile.mergedIds.includes(event.customerId)) {
    throw new CustomerMismatchError(profile.customerId, event.customerId);
  }
  const at = normaliseInstant(event.timestamp);
  const { observations, skipped } = explicitObservations(event, config);
  const explicit = foldExplicit(profile.facts, profile.factHistory, observations, config.explicit);
  skipped.push(...explicit.skipped);

  let asked = profile.asked;
  if (event.eventType === 'track' && event.event === config.events.questionAsked) {
    const questionId = readString(event.properties, 'questionId', 'question_id');
    if (questionId === undefined) skipped.push({ reason: 'unknown-question', detail: '(no questionId on Question Asked)' });
    else asked = recordAsked(asked, { questionId, at, channel: event.channel, sourceEventId: event.messageId });
  }
  let declined = profile.declined;
  if (event.eventType === 'track' && event.event === config.events.questionDeclined) {
    const questionId = readString(event.properties, 'questionId', 'question_id');
    if (questionId === undefined) skipped.push({ reason: 'unknown-question', detail: '(no questionId on Question Declined)' });
    else {
      // Declining is an answer to an asking: it counts as asked too (the channel may not have said so).
      const entry = { questionId, at, channel: event.channel, sourceEventId: event.messageId };
      asked = recordAsked(asked, entry);
      declined = recordAsked(declined ?? [], entry);
    }
  }

  const activity = { ...profile.activity };
  if (isCustomerActivity(event, config)) {
    activity.firstSeenAt = earlierOf(activity.firstSeenAt, at);
    activity.lastActivityAt = laterOf(activity.lastActivityAt, at);
    if (isPurchase(event, config)) activity.firstPurchaseAt = earlierOf(activity.firstPurchaseAt, at);
  }

  const folded: NeedsProfile = {
    ...profile,
    facts: explicit.facts,
    factHistory: explicit.history,
    evidence: unionEvidence(profile.evidence, evidenceOf(event, config), config.evidenceLimits),
    asked,
    ...(declined !== undefined ? { declined } : {}),
    activity: dropUndefined(activity),
    clock: laterOf(profile.clock, at),
  };
  const derived = rederive(folded, config, 'event', event.messageId).profile;
  return { profile: derived, changes: diffProfiles(profile, derived), skipped };
}

/** Stored documents must not carry `undefined` fields: MongoDB would store them as null. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
