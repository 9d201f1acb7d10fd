import type { AttributionState } from '../../lift/domain';
import type { CustomerProfile } from '../../segments/domain/customer-profile';
import type { CounterSeries } from '../../segments/domain/event-counter';
import { emptyState, type CustomerState, type OutboxEntry, type PendingGoal } from '../domain/customer-state';

/**
 * How a CustomerState is stored. The profile, a projection of other services' topics that is
 * only ever read and written whole, is kept as JSON text: FerretDB v1 decodes every nested value
 * of a document it reads or updates, and on its SQLite backend that decoding was most of the cost
 * of this collection (a batch read of 30 customers 40 ms nested, 16 ms as text; a bulk of 50
 * conditional replaces 98 ms, 31 ms). The fields queries filter on (mergedInto, outbox,
 * attribution, updatedAt) stay fields.
 */
export interface CustomerDocument {
  _id: string;
  /** Bumped by every write: the optimistic-concurrency token of the read-modify-write cycle. */
  version: number;
  /** The CustomerProfile as JSON text (without customerId, which is _id). */
  profileJson?: string;
  /**
   * The profile as documents written before profileJson stored it (read only; the next write
   * of the customer replaces it with profileJson).
   */
  profile?: LegacyProfile;
  memberships: Record<string, number>;
  sequence: number;
  outbox: OutboxEntry[];
  appliedEvents: string[];
  attribution: Record<string, AttributionState & { converted: boolean }>;
  pendingGoals: PendingGoal[];
  mergedInto?: string;
  updatedAt: Date;
}

/** FerretDB v1 refuses nested arrays: the nested form kept counter buckets as {d, c} and traits as text. */
type LegacySeries = Omit<CounterSeries, 'buckets'> & { buckets: Array<{ d: number; c: number }> };

export type LegacyProfile = Omit<CustomerProfile, 'counters' | 'identity'> & {
  identity: Omit<CustomerProfile['identity'], 'traits'> & { traitsJson: string };
  counters: LegacySeries[];
};

export function toDocument(state: CustomerState, version: number, updatedAt: Date): CustomerDocument {
  const { customerId: _customerId, ...profile } = state.profile;
  const attribution: CustomerDocument['attribution'] = {};
  // converted is stored beside convertedAt so that lift can count with plain equality queries.
  for (const [id, a] of Object.entries(state.attribution)) attribution[id] = { ...a, converted: a.convertedAt !== undefined };
  const document: CustomerDocument = {
    _id: state.customerId,
    version,
    profileJson: JSON.stringify(profile),
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
  const profile = storedProfile(document);
  // A document created empty ($setOnInsert) whose first write lost a race has no profile yet.
  if (profile === undefined) return emptyState(document._id);
  const attribution: CustomerState['attribution'] = {};
  for (const [id, stored] of Object.entries(document.attribution ?? {})) {
    const { converted: _converted, ...state } = stored;
    attribution[id] = state;
  }
  const state: CustomerState = {
    customerId: document._id,
    profile,
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

/**
 * A stored document as the data export shows it: the profile as an object rather than text, in
 * the nested form (traits as JSON text, counter buckets as {d, c}) because the export is itself
 * stored by a document store that refuses nested arrays, which traits and buckets may hold.
 */
export function readableDocument(document: CustomerDocument): Omit<CustomerDocument, 'profileJson'> {
  const { profileJson: _json, profile: _stored, ...rest } = document;
  const profile = storedProfile(document);
  return profile === undefined ? rest : { ...rest, profile: nestedProfile(profile) };
}

function nestedProfile(profile: CustomerProfile): LegacyProfile {
  const { identity, counters, ...rest } = profile;
  const { traits, ...identityRest } = identity;
  return {
    ...rest,
    identity: { ...identityRest, traitsJson: JSON.stringify(traits) },
    counters: counters.map((s) => ({ ...s, buckets: s.buckets.map(([d, c]) => ({ d, c })) })),
  };
}

function storedProfile(document: CustomerDocument): CustomerProfile | undefined {
  if (typeof document.profileJson === 'string') {
    const parsed = JSON.parse(document.profileJson) as Omit<CustomerProfile, 'customerId'>;
    return { ...parsed, customerId: document._id };
  }
  if (document.profile === undefined || document.profile === null) return undefined;
  const { identity, counters, ...rest } = document.profile;
  const { traitsJson, ...identityRest } = identity;
  return {
    ...rest,
    customerId: document._id,
    identity: { ...identityRest, traits: parseTraits(traitsJson) },
    counters: (counters ?? []).map((s) => ({ ...s, buckets: s.buckets.map(({ d, c }): [number, number] => [d, c]) })),
  };
}

function parseTraits(json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
