import { createHash, createHmac } from 'node:crypto';
import { PreparedRecord, TypedIdentifier } from '../../matching/domain';

/**
 * Storage id of an identifier. A unique type has one document per value ("email:a@b.com"), so
 * one owner whatever the number of instances. A non-unique type (a household phone) may belong
 * to several customers, so its id also names the customer it was first recorded for.
 */
export function identifierDocumentId(identifier: TypedIdentifier, unique: boolean, originCustomerId: string): string {
  return unique ? `${identifier.type}:${identifier.value}` : `${identifier.type}:${identifier.value}@${originCustomerId}`;
}

export function uniqueIdentifierId(identifier: TypedIdentifier): string {
  return `${identifier.type}:${identifier.value}`;
}

function digest(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * Deterministic customer id for a customer first seen through `identifier`: redeliveries and
 * concurrent instances that create the same customer create the same id. Keyed (HMAC-SHA256 with
 * the platform's secret, domain-separated from the other keyed hashes), so nobody holding an
 * e-mail address can compute the customer id it leads to; 96 bits of it.
 */
export function customerIdFor(identifier: TypedIdentifier, key: string): string {
  return `cus_${createHmac('sha256', key)
    .update(`customer-id\u0000${uniqueIdentifierId(identifier)}`, 'utf8')
    .digest('hex')
    .slice(0, 24)}`;
}

/**
 * The id the platform gave such a customer before ids were keyed: a plain hash anyone could
 * compute from the identifier. Only the id migration uses it, to recognise such customers.
 */
export function legacyCustomerIdFor(identifier: TypedIdentifier): string {
  return `cus_${digest(uniqueIdentifierId(identifier))}`;
}

/** Deterministic id of a trait record: the same traits seen again for one customer are one record. */
export function traitRecordIdFor(customerId: string, record: Omit<PreparedRecord, 'recordId'>): string {
  const fields = Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return `tr_${digest(`${customerId}\u0000${JSON.stringify(fields)}`)}`;
}

/** Deterministic id of a review item: one open question per pair of customers and kind. */
export function reviewIdFor(kind: ReviewKind, a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `rv_${digest(`${kind}\u0000${x}\u0000${y}`)}`;
}

/** Why a link exists; stored with every identifier and merge so "why are these one customer?" has an answer. */
export interface LinkEvidence {
  /** deterministic:<type> (a shared unique identifier), deterministic:first-seen, probabilistic:fellegi-sunter, review:accepted. */
  readonly rule: string;
  readonly eventId: string;
  /** ISO time of the event (or of the review decision). */
  readonly at: string;
  readonly rulesVersion?: string;
  /** Fellegi-Sunter total weight, for probabilistic links. */
  readonly score?: number;
  readonly parametersVersion?: string;
  /** The identifier through which the link was made ("email:a@b.com"). */
  readonly via?: string;
}

export interface GraphCustomer {
  readonly id: string;
  /** ISO time of the first event seen for the customer: the oldest survives a merge. */
  readonly createdAt: string;
  mergedInto?: string;
  /** Original customers and probabilistically linked records making up this one: the cluster size. */
  members: string[];
  /** Customers split away from this one: joining them again needs a person. */
  separatedFrom: string[];
  /** Whether the merge into mergedInto has been published (an outbox flag). */
  mergeAnnounced?: boolean;
}

export interface GraphIdentifier extends TypedIdentifier {
  readonly customerId: string;
  /** The customer the identifier first belonged to: what a split restores. */
  readonly originCustomerId: string;
  /** Seen on people who plainly differ: it no longer links anyone on its own. */
  readonly shared?: boolean;
}

/** Two customers that share an identifier but are different people (a family e-mail, a role mailbox). */
export interface PlannedRelation {
  readonly customerIds: readonly [string, string];
  readonly kind: 'shared-identifier';
  /** The shared identifier ("email:info@x.org"). */
  readonly via: string;
  readonly reason: string;
  readonly eventId: string;
  readonly at: string;
}

export interface StoredTraitRecord {
  readonly record: PreparedRecord;
  /** The customer the record was first linked to (follow merges for the current one). */
  readonly customerId: string;
  /**
   * Set on a record that joined an existing customer on the matcher's word (a member
   * "record:<eventId>"): the event that brought it and the identifiers it attached. Such a record
   * can be moved to another customer when later evidence says it belongs there (re-resolution).
   */
  readonly linked?: LinkedByMatcher;
  /** How many times re-resolution moved the record: bounded, so records never oscillate. */
  readonly moves?: number;
}

/**
 * How a record came to its customer on the matcher's word: linked on its own (a trait-only event
 * joined the customer), or with the rest of its customer when the matcher merged that customer
 * into another (a re-match after an estimate, two customers created concurrently, a record
 * bridging two). Re-resolution re-examines both alike; a merged customer's records move together.
 */
export interface LinkedByMatcher {
  /** The event that linked the record; for a merge, the merge's key (MERGE_LINK_PREFIX...), shared by the customer's records. */
  readonly eventId: string;
  /** Identifiers that leave with the record (for a merge, the merged customer's). */
  readonly identifiers: readonly TypedIdentifier[];
  /** The Fellegi-Sunter weight the link or merge was made at, and the parameters that gave it. */
  readonly score?: number;
  readonly parametersVersion?: string;
  /** Set when the record came over in a probabilistic merge of its whole customer. */
  readonly merged?: {
    /** The customer merged away. */
    readonly customerId: string;
    /** It and the customers merged into it before: their identifiers leave with its records. */
    readonly origins: readonly string[];
  };
}

/**
 * How the key of a probabilistic customer merge begins (`merge:<merged customer>:<the merge's
 * event>`): its records carry it as linked.eventId and the survivor the member "record:<key>".
 */
export const MERGE_LINK_PREFIX = 'merge:';

/**
 * The merged customer's records marked as joined on the matcher's word (a probabilistic merge of
 * two customers): every trait record of the origins not already so marked gets `linked`.
 */
export interface PlannedMark {
  readonly origins: readonly string[];
  readonly linked: LinkedByMatcher;
}

/**
 * A record re-resolution took out of a customer: split off into a customer of its own (the part)
 * and, when another customer is its better match, merged into that one (a PlannedMerge follows).
 */
export interface PlannedMove {
  readonly recordId: string;
  /** The event that linked the record to the customer it leaves. */
  readonly eventId: string;
  readonly fromId: string;
  readonly partId: string;
  /** The customer the part joins; absent when the record is only split off. */
  readonly toId?: string;
  /** Identifiers the record brought: they leave with it. */
  readonly identifiers: readonly TypedIdentifier[];
  readonly reason: string;
  /**
   * Every record that leaves (recordId among them) when they came over together in a merge of
   * their customer (linked.merged); absent for a record linked on its own.
   */
  readonly recordIds?: readonly string[];
  /** For a merged customer's records: the customers whose identifiers leave with them (else the event's identifiers leave). */
  readonly origins?: readonly string[];
  /** Best weight of the record against the customer it leaves, and against the one it joins. */
  readonly support: number;
  readonly score?: number;
  readonly at: string;
  /** The record's move count after this move. */
  readonly moves: number;
}

export type ReviewKind = 'probabilistic' | 'over-merge-guard' | 'split-separated';

export interface PlannedReview {
  readonly id: string;
  readonly kind: ReviewKind;
  /** The two customers a reviewer may join: [the one the event belongs to, the candidate]. */
  readonly customerIds: readonly [string, string];
  readonly reason: string;
  readonly score?: number;
  readonly evidence: readonly TypedIdentifier[];
  readonly eventId: string;
  readonly at: string;
}

/** The link rule of a merge a reviewer accepted. */
export const REVIEW_ACCEPTED_RULE = 'review:accepted';

/** How the event ids of a training run's re-matching begin (`rematch:<parameters version>:<record id>`). */
export const REMATCH_EVENT_PREFIX = 'rematch:';

export interface PlannedMerge {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly reason: string;
  readonly evidence: readonly TypedIdentifier[];
  readonly link: LinkEvidence;
  /** The merged customer's members and split memory, carried over to the survivor. */
  readonly members: readonly string[];
  readonly separatedFrom: readonly string[];
}

/**
 * Below this many records a value's share says more about the sample than about the population
 * (two records make every surname look 50% common), so term-frequency adjustment waits for data.
 */
export const MIN_RECORDS_FOR_TERM_FREQUENCIES = 1000;

/** Term counts per comparison table ("firstName", "lastName") as stored beside the blocking index. */
export class StoredTermFrequencies {
  constructor(
    private readonly counts: ReadonlyMap<string, number>,
    private readonly totals: ReadonlyMap<string, number>,
    /** Keys whose count was read, present in counts or not (unseen values count 0); all keys when omitted. */
    private readonly read?: ReadonlySet<string>,
  ) {}

  static key(table: string, value: string): string {
    return `${table}:${value}`;
  }

  frequency(table: string, value: string): number | undefined {
    const count = this.counts.get(StoredTermFrequencies.key(table, value));
    const total = this.totals.get(table);
    if (count === undefined || total === undefined || total < MIN_RECORDS_FOR_TERM_FREQUENCIES) return undefined;
    return count / total;
  }

  occurrences(table: string, value: string): number | undefined {
    const key = StoredTermFrequencies.key(table, value);
    const count = this.counts.get(key);
    if (count !== undefined) return count;
    return this.read === undefined || this.read.has(key) ? 0 : undefined;
  }
}
