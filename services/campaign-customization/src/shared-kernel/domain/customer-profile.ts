import type { IdentifierV1, RelationshipStage, ValueTier } from '@o2o/contracts';
import type { ConsentRecord } from './consent';
import type { CounterSeries } from './event-counter';

/** A JSON scalar, the only kind of value a fact may hold. */
export type Scalar = string | number | boolean | null;

/**
 * Everything the campaign service knows about one customer, folded from the identity, value,
 * needs, consent and resolved-event topics. Collections keyed by free-form strings (fact keys,
 * counter names) are arrays rather than objects so the document can be stored as it is: fact
 * keys contain dots, which document stores do not accept in field names.
 */
export interface CustomerProfile {
  customerId: string;
  identity: ProfileIdentity;
  /** Absent until value scoring has published a state for this customer. */
  value?: ProfileValue;
  /** Absent until needs profiling has published a state for this customer. */
  needs?: ProfileNeeds;
  /** Latest decision per (purpose, channel); history stays on the consent topic. */
  consent: ConsentRecord[];
  /** Rolling per-day counts of track events, for "N purchases in the last 30 days". */
  counters: CounterSeries[];
}

export interface ProfileIdentity {
  identifiers: IdentifierV1[];
  /** Customers folded into this one; later events carrying them are mapped here. */
  mergedIds: string[];
  /** Latest identify traits (name, ...). Keys were checked by ingestion: no "$", no ".". */
  traits: Record<string, unknown>;
  /** Time of the latest identity snapshot applied, to ignore older replays. */
  updatedAt?: string;
}

export interface ProfileValue {
  tier: ValueTier;
  previousTier?: ValueTier;
  actualValue: number;
  strategicValue: number;
  probabilityAlive?: number;
  expectedPurchases?: number;
  purchases: number;
  revenue: number;
  currency: string;
  lastPurchaseAt?: string;
  firstPurchaseAt?: string;
  modelVersion: string;
  updatedAt: string;
}

export interface ProfileFact {
  key: string;
  value: Scalar;
  kind: 'explicit' | 'inferred';
  channel: string;
  /** Purpose the fact was collected for; rules may only use it for a compatible purpose. */
  purpose: string;
  confidence: number;
  observedAt: string;
}

export interface ProfileNeeds {
  stage: RelationshipStage;
  previousStage?: RelationshipStage;
  stageReason: string;
  facts: ProfileFact[];
  archetypes: string[];
  nextQuestion?: {
    questionId: string;
    factKey: string;
    purpose: string;
    value: number;
    wording?: Record<string, string>;
    buildsOn?: string[];
  };
  /** Fact keys still unknown: what not to assume, and what is worth asking. */
  unknown: string[];
  /** The stage's contact guidance from needs profiling (absent from older profiles): caps the contacts the platform starts. */
  stageGuidance?: StageGuidance;
  updatedAt: string;
}

export interface StageGuidance {
  maxContactsPer30Days: number;
  minDaysBetweenContacts: number;
  content: string[];
}

export function emptyProfile(customerId: string): CustomerProfile {
  return { customerId, identity: { identifiers: [], mergedIds: [], traits: {} }, consent: [], counters: [] };
}

export function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
