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

/** A bound of one customer's profile that dropped or refused something (bounded customers). */
export type ProfileLimit = 'asked-questions' | 'declined-questions' | 'fact-keys';

export interface ApplyResult {
  profile: NeedsProfile;
  /** Empty when the event taught nothing new (e.g. a redelivery): no write needed. */
  changes: ProfileChange[];
  /** Parts of the event that could not be used, for metrics; not errors. */
  skipped: SkippedInput[];
  /** Bounds that applied: what the service counts and logs. */
  limits: ProfileLimit[];
}

/** Newer asking first: by time, then by event id, then by question. */
function compareAskings(a: AskedQuestion, b: AskedQuestion): number {
  const byTime = compareInstants(b.at, a.at);
  if (byTime !== 0) return byTime;
  if (a.sourceEventId !== b.sourceEventId) return a.sourceEventId > b.sourceEventId ? -1 : 1;
  return a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : 0;
}

/**
 * Keeps, per question, the latest asking: a max register, so order and repetition do not matter.
 * At most `kept` questions, the most recently asked (a total order, so what is kept does not
 * depend on the order of arrival either); `dropped` tells whether the bound took one out.
 */
export function recordAsked(
  asked: readonly AskedQuestion[],
  entry: AskedQuestion,
  kept: number,
): { asked: AskedQuestion[]; dropped: boolean } {
  const others = asked.filter((a) => a.questionId !== entry.questionId);
  const current = asked.find((a) => a.questionId === entry.questionId);
  const byTime = current ? compareInstants(entry.at, current.at) : 1;
  const newer = !current || byTime > 0 || (byTime === 0 && entry.sourceEventId > current.sourceEventId);
  const all = [...others, newer ? entry : current];
  const bounded = all.length > kept ? [...all].sort(compareAskings).slice(0, Math.max(0, kept)) : all;
  return {
    asked: bounded.sort((a, b) => (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : 0)),
    dropped: bounded.length < all.length,
  };
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

  const limits = new Set<ProfileLimit>();
  if (explicit.skipped.some((s) => s.reason === 'too-many-facts')) limits.add('fact-keys');
  const kept = config.questionBank.askedKept;
  let asked = profile.asked;
  const ask = (entry: AskedQuestion) => {
    const recorded = recordAsked(asked, entry, kept);
    asked = recorded.asked;
    if (recorded.dropped) limits.add('asked-questions');
  };
  if (event.eventType === 'track' && event.event === config.events.questionAsked) {
    const questionId = readString(event.properties, 'questionId', 'question_id');
    if (questionId === undefined) skipped.push({ reason: 'unknown-question', detail: '(no questionId on Question Asked)' });
    else ask({ questionId, at, channel: event.channel, sourceEventId: event.messageId });
  }
  let declined = profile.declined;
  if (event.eventType === 'track' && event.event === config.events.questionDeclined) {
    const questionId = readString(event.properties, 'questionId', 'question_id');
    if (questionId === undefined) skipped.push({ reason: 'unknown-question', detail: '(no questionId on Question Declined)' });
    else {
      // Declining is an answer to an asking: it counts as asked too (the channel may not have said so).
      const entry = { questionId, at, channel: event.channel, sourceEventId: event.messageId };
      ask(entry);
      const recorded = recordAsked(declined ?? [], entry, kept);
      declined = recorded.asked;
      if (recorded.dropped) limits.add('declined-questions');
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
  return { profile: derived, changes: diffProfiles(profile, derived), skipped, limits: [...limits] };
}

/** Stored documents must not carry `undefined` fields: MongoDB would store them as null. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
