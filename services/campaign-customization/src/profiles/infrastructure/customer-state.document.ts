import type { AttributionState } from '../../lift/domain';
import type { CustomerProfile } from '../../segments/domain/customer-profile';
import type { CounterSeries } from '../../segments/domain/event-counter';
import { emptyState, type CustomerState, type OutboxEntry, type PendingGoal } from '../domain/customer-state';

/**
 * How a CustomerState is stored. Two departures from the domain shape, both for FerretDB v1,
 * which refuses nested arrays: counter buckets become {d, c} objects, and identify traits are
 * kept as JSON text (customers send arbitrary trait structures, nested arrays included).
 */
export interface CustomerDocument {
  _id: string;
  /** Bumped by every write: the optimistic-concurrency token of the read-modify-write cycle. */
  version: number;
  profile: StoredProfile;
  memberships: Record<string, number>;
  sequence: number;
  outbox: OutboxEntry[];
  appliedEvents: string[];
  attribution: Record<string, AttributionState & { converted: boolean }>;
  pendingGoals: PendingGoal[];
  mergedInto?: string;
  updatedAt: Date;
}

type StoredSeries = Omit<CounterSeries, 'buckets'> & { buckets: Array<{ d: number; c: number }> };

export type StoredProfile = Omit<CustomerProfile, 'counters' | 'identity'> & {
  identity: Omit<CustomerProfile['identity'], 'traits'> & { traitsJson: string };
  counters: StoredSeries[];
};

export function toDocument(state: CustomerState, version: number, updatedAt: Date): CustomerDocument {
  const { identity, counters, ...rest } = state.profile;
  const { traits, ...identityRest } = identity;
  const attribution: CustomerDocument['attribution'] = {};
  // converted is stored beside convertedAt so that lift can count with plain equality queries.
  for (const [id, a] of Object.entries(state.attribution)) attribution[id] = { ...a, converted: a.convertedAt !== undefined };
  const document: CustomerDocument = {
    _id: state.customerId,
    version,
    profile: {
      ...rest,
      identity: { ...identityRest, traitsJson: JSON.stringify(traits) },
      counters: counters.map((s) => ({ ...s, buckets: s.buckets.map(([d, c]) => ({ d, c })) })),
    },
    memberships: state.memberships,
    sequence: state.sequence,
    outbox: state.outbox,
    appliedEvents: state.appliedEvents,
    attribution,
    pendingGoals: state.pendingGoals,
    updatedAt,
  };
  if (state.mergedInto !== undefined) document.mergedInto = state.mergedInto;
  // The driver would store undefined as null, which the domain reads as a value; JSON drops it.
  return { ...(JSON.parse(JSON.stringify(document)) as CustomerDocument), updatedAt };
}

export function fromDocument(document: CustomerDocument): CustomerState {
  // A document created empty ($setOnInsert) whose first write lost a race has no profile yet.
  if (document.profile === undefined || document.profile === null) return emptyState(document._id);
  const { identity, counters, ...rest } = document.profile;
  const { traitsJson, ...identityRest } = identity;
  const attribution: CustomerState['attribution'] = {};
  for (const [id, stored] of Object.entries(document.attribution ?? {})) {
    const { converted: _converted, ...state } = stored;
    attribution[id] = state;
  }
  const state: CustomerState = {
    customerId: document._id,
    profile: {
      ...rest,
      customerId: document._id,
      identity: { ...identityRest, traits: parseTraits(traitsJson) },
      counters: (counters ?? []).map((s) => ({ ...s, buckets: s.buckets.map(({ d, c }): [number, number] => [d, c]) })),
    },
    memberships: document.memberships ?? {},
    sequence: document.sequence ?? 0,
    outbox: document.outbox ?? [],
    appliedEvents: document.appliedEvents ?? [],
    attribution,
    pendingGoals: document.pendingGoals ?? [],
  };
  if (document.mergedInto !== undefined && document.mergedInto !== null) state.mergedInto = document.mergedInto;
  return state;
}

function parseTraits(json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
