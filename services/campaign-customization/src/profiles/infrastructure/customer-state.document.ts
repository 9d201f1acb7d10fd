import type { AttributionState } from '../../lift/domain';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { CounterSeries } from '../../shared-kernel/domain/event-counter';
import { emptyState, type CustomerState, type OutboxEntry, type PendingGoal } from '../domain/customer-state';

/**
 * How a CustomerState is stored. What is only ever read and written whole (the profile, a
 * projection of other services' topics, the memberships, the applied-event ids and the pending
 * goals) is kept as JSON text: FerretDB v1 decodes every nested value of a document it reads or
 * updates, and on its SQLite backend that decoding was most of the cost of this collection. On
 * 1,900 bench customers, a batch read of 30 took 40 ms nested, 16 ms with the profile as text and
 * 5-7 ms with all of this as text; a bulk of 50 conditional replaces 98, 31 and 22 ms. The fields
 * queries filter on or update in place (mergedInto, outbox, attribution, updatedAt) stay fields.
 */
export interface CustomerDocument {
  _id: string;
  /** Bumped by every write: the optimistic-concurrency token of the read-modify-write cycle. */
  version: number;
  /** StoredWhole as JSON text. */
  stateJson?: string;
  sequence: number;
  outbox: OutboxEntry[];
  attribution: Record<string, AttributionState & { converted: boolean }>;
  /**
   * What lift counts (derived from attribution, written with it): `<campaign>:<group>` for every
   * exposure and `<campaign>:<group>:converted` for a conversion; empty once merged away. One
   * multikey index answers each of a campaign's four counts, whatever the number of campaigns
   * (the attribution map's paths are per campaign and cannot share one index). Absent on
   * documents written before it (back-filled at start).
   */
  liftKeys?: string[];
  mergedInto?: string;
  updatedAt: Date;
  /**
   * The nested form of documents written before stateJson held these (read only; the next write
   * of the customer replaces them with stateJson).
   */
  profile?: LegacyProfile;
  memberships?: Record<string, number>;
  appliedEvents?: string[];
  pendingGoals?: PendingGoal[];
}

/** The parts of a CustomerState stored together as text. */
interface StoredWhole {
  profile: Omit<CustomerProfile, 'customerId'>;
  memberships: Record<string, number>;
  appliedEvents: string[];
  pendingGoals: PendingGoal[];
}

/** FerretDB v1 refuses nested arrays: the nested form kept counter buckets as {d, c} and traits as text. */
type LegacySeries = Omit<CounterSeries, 'buckets'> & { buckets: Array<{ d: number; c: number }> };

export type LegacyProfile = Omit<CustomerProfile, 'counters' | 'identity'> & {
  identity: Omit<CustomerProfile['identity'], 'traits'> & { traitsJson: string };
  counters: LegacySeries[];
};

/** The lift keys of a customer's attribution (none once merged into another). */
export function liftKeysOf(
  attribution: Readonly<Record<string, { group: string; converted: boolean }>>,
  mergedInto: string | undefined | null,
): string[] {
  if (mergedInto !== undefined && mergedInto !== null) return [];
  return Object.entries(attribution).flatMap(([campaignId, a]) =>
    a.converted ? [`${campaignId}:${a.group}`, `${campaignId}:${a.group}:converted`] : [`${campaignId}:${a.group}`],
  );
}

export function toDocument(state: CustomerState, version: number, updatedAt: Date): CustomerDocument {
  const { customerId: _customerId, ...profile } = state.profile;
  const attribution: CustomerDocument['attribution'] = {};
  // converted is stored beside convertedAt so that lift can count with plain equality queries.
  for (const [id, a] of Object.entries(state.attribution)) attribution[id] = { ...a, converted: a.convertedAt !== undefined };
  const whole: StoredWhole = {
    profile,
    memberships: state.memberships,
    appliedEvents: state.appliedEvents,
    pendingGoals: state.pendingGoals,
  };
  // The driver would store undefined as null, which the domain reads as a value; JSON drops it.
  // Only the nested fields go through that round trip: stateJson is already text (most of the
  // document), which a second stringify would escape and a parse unescape again.
  const nested = JSON.parse(JSON.stringify({ outbox: state.outbox, attribution })) as Pick<CustomerDocument, 'outbox' | 'attribution'>;
  const document: CustomerDocument = {
    _id: state.customerId,
    version,
    stateJson: JSON.stringify(whole),
    sequence: state.sequence,
    outbox: nested.outbox,
    attribution: nested.attribution,
    liftKeys: liftKeysOf(attribution, state.mergedInto),
    updatedAt,
  };
  if (state.mergedInto !== undefined) document.mergedInto = state.mergedInto;
  return document;
}

export function fromDocument(document: CustomerDocument): CustomerState {
  const whole = storedWhole(document);
  // A document created empty ($setOnInsert) whose first write lost a race has no profile yet.
  if (whole === undefined) return emptyState(document._id);
  const attribution: CustomerState['attribution'] = {};
  for (const [id, stored] of Object.entries(document.attribution ?? {})) {
    const { converted: _converted, ...state } = stored;
    attribution[id] = state;
  }
  const state: CustomerState = {
    customerId: document._id,
    profile: { ...whole.profile, customerId: document._id },
    memberships: whole.memberships,
    sequence: document.sequence ?? 0,
    outbox: document.outbox ?? [],
    appliedEvents: whole.appliedEvents,
    attribution,
    pendingGoals: whole.pendingGoals,
  };
  if (document.mergedInto !== undefined && document.mergedInto !== null) state.mergedInto = document.mergedInto;
  return state;
}

/**
 * A stored document as the data export shows it: objects rather than text, with the profile in
 * the nested form (traits as JSON text, counter buckets as {d, c}) because the export is itself
 * stored by a document store that refuses nested arrays, which traits and buckets may hold.
 */
export function readableDocument(document: CustomerDocument): Omit<CustomerDocument, 'stateJson'> {
  const {
    stateJson: _json,
    profile: _profile,
    memberships: _memberships,
    appliedEvents: _applied,
    pendingGoals: _goals,
    ...rest
  } = document;
  const whole = storedWhole(document);
  if (whole === undefined) return rest;
  return {
    ...rest,
    profile: nestedProfile({ ...whole.profile, customerId: document._id }),
    memberships: whole.memberships,
    appliedEvents: whole.appliedEvents,
    pendingGoals: whole.pendingGoals,
  };
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

/** The text form, else the nested form of earlier releases; undefined for a document without a profile. */
function storedWhole(document: CustomerDocument): StoredWhole | undefined {
  if (typeof document.stateJson === 'string') return JSON.parse(document.stateJson) as StoredWhole;
  if (document.profile === undefined || document.profile === null) return undefined;
  const { identity, counters, customerId: _id, ...rest } = document.profile;
  const { traitsJson, ...identityRest } = identity;
  return {
    profile: {
      ...rest,
      identity: { ...identityRest, traits: parseTraits(traitsJson) },
      counters: (counters ?? []).map((s) => ({ ...s, buckets: s.buckets.map(({ d, c }): [number, number] => [d, c]) })),
    },
    memberships: document.memberships ?? {},
    appliedEvents: document.appliedEvents ?? [],
    pendingGoals: document.pendingGoals ?? [],
  };
}

function parseTraits(json: string | undefined): Record<string, unknown> {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
