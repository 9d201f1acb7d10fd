import type { RelationshipStage } from '@o2o/contracts';
import { canonicalJson } from './canonical-json';
import { compareInstants } from './instant';

export type FactValue = string | number | boolean | null;
export type FactKind = 'explicit' | 'inferred';

/** One piece of knowledge about the customer. Field meanings follow `needsFactV1` in the contracts. */
export interface Fact {
  key: string;
  value: FactValue;
  kind: FactKind;
  channel: string;
  purpose: string;
  confidence: number;
  observedAt: string;
  /** Message id of the (latest) event that taught it; part of the fact's identity. */
  sourceEventId: string;
  /** How it was learned ("trait", "answer:<questionId>", "preference-centre", "inference:<rule>"). */
  origin: string;
}

/** A product category the customer showed interest in; weights decay with age. */
export interface CategorySignal {
  /** `<eventId>#<category>`: one event can touch several categories. */
  id: string;
  eventId: string;
  at: string;
  channel: string;
  category: string;
  /** Interest shown; negative for an offer of the category declined or ignored. */
  weight: number;
}

export interface PurchaseSignal {
  id: string;
  at: string;
  channel: string;
  discounted: boolean;
  gift: boolean;
}

export interface ChannelSignal {
  id: string;
  at: string;
  channel: string;
  /**
   * How much the signal counts toward the channel (absent: 1, a use of the channel). Offer
   * outcomes weigh in: an acceptance on the channel raises it, a decline or an ignored offer
   * (negative) lowers it.
   */
  weight?: number;
}

export interface EngagementSignal {
  id: string;
  at: string;
  /** Track event name, or "page"/"screen". */
  event: string;
}

/**
 * Behavioural evidence as bounded sets of observations keyed by event id, rather than running
 * counters: adding an observation twice is a no-op, the order of arrival does not matter, and
 * two profiles merge by set union. Each set keeps its newest N items (N from configuration);
 * keeping the top N of a set by a total order gives the same result whatever the order of
 * insertion, so even truncation stays idempotent and order-independent.
 */
export interface Evidence {
  categories: CategorySignal[];
  purchases: PurchaseSignal[];
  channels: ChannelSignal[];
  engagement: EngagementSignal[];
}
export type EvidenceKind = keyof Evidence;

/** The last time a question was put to the customer (the drip-irrigation memory shared by all channels). */
export interface AskedQuestion {
  questionId: string;
  at: string;
  channel: string;
  sourceEventId: string;
}

export interface StageTransition {
  from: RelationshipStage;
  to: RelationshipStage;
  reason: string;
  at: string;
  cause: 'event' | 'time' | 'merge';
  sourceEventId?: string;
}

export interface StageState {
  current: RelationshipStage;
  previous?: RelationshipStage;
  reason: string;
  since?: string;
  /** Most recent transitions, newest last, bounded by configuration. */
  transitions: StageTransition[];
}

/** Min/max registers: each only moves one way, so re-applying or reordering events cannot move them back. */
export interface ActivityState {
  firstSeenAt?: string;
  lastActivityAt?: string;
  firstPurchaseAt?: string;
}

/**
 * The needs projection of one customer.
 *
 * Idempotency comes from the shape of the state, not from a log of applied event ids: every
 * part is a join (explicit facts are last-writer-wins registers ordered by observedAt then
 * sourceEventId, evidence is a bounded set keyed by event id, asked questions and activity are
 * max/min registers, the clock is a max). Applying an event twice, late, or after a merge is a
 * no-op by construction, without an ever-growing id list and without the corner where a
 * redelivered event falls out of a bounded id window and counts twice. Derived parts (inferred
 * facts, archetypes, stage) are recomputed from that state at the profile's clock.
 *
 * Facts are arrays, not maps keyed by fact key, because fact keys contain dots, which MongoDB
 * and FerretDB handle badly as field names.
 */
export interface NeedsProfile {
  schemaVersion: 1;
  customerId: string;
  /** Current facts, at most one explicit and one inferred per key, sorted by key then kind. */
  facts: Fact[];
  /** Superseded explicit observations, newest first per key: evidence kept for audit and merges. */
  factHistory: Fact[];
  evidence: Evidence;
  asked: AskedQuestion[];
  /**
   * The last time the customer declined each question ("Question Declined"): a max register like
   * `asked`; the question is not asked again for its decline cooldown. Absent on profiles stored
   * before declines were recorded.
   */
  declined?: AskedQuestion[];
  archetypes: string[];
  stage: StageState;
  activity: ActivityState;
  /** Latest instant the profile has seen (event time or evaluation time); derived parts are computed at it. */
  clock?: string;
  /** Customers merged into this one. */
  mergedIds: string[];
}

export function emptyProfile(customerId: string): NeedsProfile {
  return {
    schemaVersion: 1,
    customerId,
    facts: [],
    factHistory: [],
    evidence: { categories: [], purchases: [], channels: [], engagement: [] },
    asked: [],
    archetypes: [],
    stage: { current: 'prospecting', reason: 'no activity yet', transitions: [] },
    activity: {},
    mergedIds: [],
  };
}

/**
 * Total order on observations of one fact: newer first by observedAt, then by event id, then by
 * content, so that two replicas choosing a winner always choose the same one.
 */
export function compareObservations(a: Fact, b: Fact): number {
  const byTime = compareInstants(a.observedAt, b.observedAt);
  if (byTime !== 0) return byTime;
  if (a.sourceEventId !== b.sourceEventId) return a.sourceEventId < b.sourceEventId ? -1 : 1;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca === cb ? 0 : ca < cb ? -1 : 1;
}

interface Timed {
  id: string;
  at: string;
}

function compareTimed<T extends Timed>(a: T, b: T): number {
  const byTime = compareInstants(a.at, b.at);
  if (byTime !== 0) return byTime;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca === cb ? 0 : ca < cb ? -1 : 1;
}

/** Union of two bounded sets keyed by id: newest `limit` items, newest first, one per id. */
export function unionNewest<T extends Timed>(a: readonly T[], b: readonly T[], limit: number): T[] {
  // Most events add to one or two of the evidence sets: the others are what they were (already
  // newest first, one per id, within the limit, as this function left them), and re-sorting them
  // on every event was a share of the service's CPU. Checked, not assumed: a set stored otherwise
  // takes the full path.
  if (b.length === 0 && a.length <= limit && isNewestFirstById(a)) return [...a];
  const byId = new Map<string, T>();
  for (const item of [...a, ...b]) {
    const seen = byId.get(item.id);
    if (!seen || compareTimed(item, seen) > 0) byId.set(item.id, item);
  }
  return [...byId.values()].sort((x, y) => compareTimed(y, x)).slice(0, Math.max(0, limit));
}

/** Strictly newest first (so never two items of one id at one time) and no id twice. */
function isNewestFirstById<T extends Timed>(items: readonly T[]): boolean {
  const ids = new Set<string>();
  let previous: T | undefined;
  for (const item of items) {
    if (ids.has(item.id)) return false;
    ids.add(item.id);
    if (previous !== undefined && compareTimed(previous, item) <= 0) return false;
    previous = item;
  }
  return true;
}

export function sameFact(a: Fact, b: Fact): boolean {
  return (
    a.key === b.key &&
    a.value === b.value &&
    a.kind === b.kind &&
    a.channel === b.channel &&
    a.purpose === b.purpose &&
    a.confidence === b.confidence &&
    a.observedAt === b.observedAt &&
    a.sourceEventId === b.sourceEventId &&
    a.origin === b.origin
  );
}

export function sortFacts(facts: readonly Fact[]): Fact[] {
  return [...facts].sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** One fact per key, the customer's own word over our inference. */
export function effectiveFacts(profile: Pick<NeedsProfile, 'facts'>): Fact[] {
  const byKey = new Map<string, Fact>();
  for (const fact of profile.facts) {
    const seen = byKey.get(fact.key);
    if (!seen || (seen.kind === 'inferred' && fact.kind === 'explicit')) byKey.set(fact.key, fact);
  }
  return sortFacts([...byKey.values()]);
}

export function effectiveFactMap(profile: Pick<NeedsProfile, 'facts'>): Map<string, Fact> {
  return new Map(effectiveFacts(profile).map((fact) => [fact.key, fact]));
}

export function explicitFact(profile: Pick<NeedsProfile, 'facts'>, key: string): Fact | undefined {
  return profile.facts.find((fact) => fact.key === key && fact.kind === 'explicit');
}
