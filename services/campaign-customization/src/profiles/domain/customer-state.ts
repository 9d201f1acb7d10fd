import {
  recordActivity,
  recordConversion,
  recordExposure,
  isWithinWindow,
  type AttributionState,
  type ExposureGroup,
} from '../../lift/domain';
import { emptyProfile, type CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { MembershipChange, MembershipDiff } from '../../shared-kernel/domain/membership';

/** The input that caused a change, for the envelope of what the change publishes. */
export interface ChangeCause {
  /** Id of the causing event (its envelope id). */
  eventId: string;
  /** The causing event's correlation id, carried on. */
  correlationId?: string;
}

/** A membership change waiting to be published, with the customer's sequence number. */
export interface OutboxEntry extends MembershipChange {
  sequence: number;
  /** Envelope id of the event that caused the change (absent for back-fills and recovery). */
  causationId?: string;
  correlationId?: string;
  /**
   * W3C traceparent of the cause, kept with the entry so that a later publication (a batch
   * redelivered after the write, the stale-outbox sweep) continues the cause's trace.
   */
  traceparent?: string;
}

/** Goal events seen before any exposure to the campaign (the topics are not ordered with each other). */
export interface PendingGoal {
  campaignId: string;
  at: string;
}

/**
 * Everything this service holds about one customer, stored as one document so that a profile
 * change, the membership changes it causes and the events it applied are written together.
 */
export interface CustomerState {
  customerId: string;
  profile: CustomerProfile;
  /** Segment id -> version of the membership (what was last published). */
  memberships: Record<string, number>;
  /** Sequence number of the latest membership change (published or in the outbox). */
  sequence: number;
  /** Membership changes not yet acknowledged by Kafka. */
  outbox: OutboxEntry[];
  /** Ids of the events applied (bounded, newest last). */
  appliedEvents: string[];
  /** Per campaign id: this customer's standing in the campaign's experiment. */
  attribution: Record<string, AttributionState>;
  pendingGoals: PendingGoal[];
  /** Set once merged into another customer: later events carrying this id go there. */
  mergedInto?: string;
}

export const APPLIED_EVENTS_KEPT = 200;
const PENDING_GOALS_KEPT = 50;

export function emptyState(customerId: string): CustomerState {
  return {
    customerId,
    profile: emptyProfile(customerId),
    memberships: {},
    sequence: 0,
    outbox: [],
    appliedEvents: [],
    attribution: {},
    pendingGoals: [],
  };
}

export function hasApplied(state: CustomerState, eventId: string): boolean {
  return state.appliedEvents.includes(eventId);
}

export function markApplied(state: CustomerState, eventIds: readonly string[]): CustomerState {
  const fresh = eventIds.filter((id) => !state.appliedEvents.includes(id));
  if (fresh.length === 0) return state;
  // One copy of the kept ids (this runs for every event applied, on up to APPLIED_EVENTS_KEPT ids).
  const held = state.appliedEvents;
  const appliedEvents = held.slice(Math.max(0, held.length + fresh.length - APPLIED_EVENTS_KEPT));
  for (const id of fresh.slice(-APPLIED_EVENTS_KEPT)) appliedEvents.push(id);
  return { ...state, appliedEvents };
}

/** Stores the memberships after a diff and queues its changes with the next sequence numbers and their cause. */
export function appendMembershipChanges(state: CustomerState, diff: MembershipDiff, cause?: ChangeCause): CustomerState {
  let sequence = state.sequence;
  const origin: Pick<OutboxEntry, 'causationId' | 'correlationId'> = {};
  if (cause !== undefined) origin.causationId = cause.eventId;
  if (cause?.correlationId !== undefined) origin.correlationId = cause.correlationId;
  const queued = diff.changes.map((change): OutboxEntry => ({ ...change, sequence: ++sequence, ...origin }));
  return { ...state, memberships: { ...diff.current }, sequence, outbox: [...state.outbox, ...queued] };
}

/**
 * A first exposure to a campaign (an offer delivered, or a control decision). A goal event that
 * arrived earlier on its own topic but happened after the exposure still converts.
 */
export function exposeToCampaign(
  state: CustomerState,
  campaignId: string,
  group: ExposureGroup,
  at: string,
  windowDays: number,
): CustomerState {
  const held = state.attribution[campaignId];
  let next = recordExposure(held, group, at);
  const pending = state.pendingGoals.filter((g) => g.campaignId === campaignId).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const goal of pending) {
    if (next.convertedAt !== undefined) break;
    if (isWithinWindow(next.firstExposedAt, goal.at, windowDays)) next = recordConversion(next, goal.at, windowDays) ?? next;
  }
  if (next === held) return state;
  return { ...state, attribution: { ...state.attribution, [campaignId]: next } };
}

/** A goal event of a campaign: converts an exposed customer within the window, else is kept for a late exposure. */
export function recordGoal(state: CustomerState, campaignId: string, at: string, windowDays: number): CustomerState {
  const held = state.attribution[campaignId];
  if (held !== undefined) {
    const next = recordConversion(held, at, windowDays);
    if (next === undefined || next === held) return state;
    return { ...state, attribution: { ...state.attribution, [campaignId]: next } };
  }
  const pendingGoals = [...state.pendingGoals, { campaignId, at }].slice(-PENDING_GOALS_KEPT);
  return { ...state, pendingGoals };
}

/**
 * The survivor's experiment standing after a merge: per campaign the earlier first exposure
 * (and its group) wins, as if both ids had been one customer all along; a conversion of either
 * counts when it falls in the window of the kept exposure.
 */
export function mergeAttribution(
  survivor: Record<string, AttributionState>,
  merged: Record<string, AttributionState>,
  windowDays: (campaignId: string) => number,
): Record<string, AttributionState> {
  const result: Record<string, AttributionState> = { ...survivor };
  for (const [campaignId, theirs] of Object.entries(merged)) {
    const ours = result[campaignId];
    if (ours === undefined) {
      result[campaignId] = theirs;
      continue;
    }
    const [first, second] = Date.parse(theirs.firstExposedAt) < Date.parse(ours.firstExposedAt) ? [theirs, ours] : [ours, theirs];
    let kept: AttributionState = { group: first.group, firstExposedAt: first.firstExposedAt };
    const revenue = (first.revenue ?? 0) + (second.revenue ?? 0);
    if (revenue > 0) kept.revenue = revenue;
    const active = [first.lastActiveAt, second.lastActiveAt]
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    if (active !== undefined) kept.lastActiveAt = active;
    for (const at of [first.convertedAt, second.convertedAt]) {
      if (at !== undefined) kept = recordConversion(kept, at, windowDays(campaignId)) ?? kept;
    }
    result[campaignId] = kept;
  }
  return result;
}

/** Any event of a customer exposed to the campaign: revenue per customer and retention (see recordActivity). */
export function recordCampaignActivity(
  state: CustomerState,
  campaignId: string,
  at: string,
  revenue: number | undefined,
  windowDays: number,
): CustomerState {
  const held = state.attribution[campaignId];
  const next = recordActivity(held, at, revenue, windowDays);
  if (next === undefined || next === held) return state;
  return { ...state, attribution: { ...state.attribution, [campaignId]: next } };
}
