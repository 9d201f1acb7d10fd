import type { PreparedRecord, TypedIdentifier } from '../../../matching/domain';
import type { GraphState } from '../../domain/batch-resolver';
import type { LinkEvidence, PlannedMerge, StoredTermFrequencies } from '../../domain/identity-graph.model';

// The identity graph's records as the use cases read them. IdentityCollections stores them (one
// MongoDB collection each) and the repositories of the graph return them.

/** One identifier and the customer owning it; see identifierDocumentId for the _id. */
export interface IdentifierDocument {
  _id: string;
  type: string;
  value: string;
  unique: boolean;
  customerId: string;
  /** The customer it first belonged to: a split gives it back. */
  originCustomerId: string;
  firstSeenAt: Date;
  evidence: LinkEvidence;
  /** Found on people who plainly differ (a family e-mail, a role mailbox): links no one on its own. */
  shared?: boolean;
  /** Beyond its customer's kept count for the type (IDENTIFIERS_KEPT): still resolves, left out of snapshots and per-customer reads. */
  retired?: boolean;
}

/** Another customer this one shares an identifier with, being a different person. */
export interface RelatedCustomer {
  customerId: string;
  kind: 'shared-identifier';
  /** The identifier they share ("email:info@x.org"). */
  via: string;
  reason: string;
  at: Date;
}

export interface MergeRecord {
  survivorId: string;
  reason: string;
  evidence: Array<{ type: string; value: string }>;
  link: LinkEvidence;
  at: Date;
}

/** On the part a re-resolution move created: what the split it publishes says (its outbox). */
export interface MoveRecord {
  fromId: string;
  recordId: string;
  eventId: string;
  identifiers: Array<{ type: string; value: string }>;
  reason: string;
  support: number;
  score?: number;
  toId?: string;
  at: Date;
  moves: number;
}

/** On a split customer: a split written whose event Kafka has not acknowledged yet (its outbox). */
export interface SplitOutboxEntry {
  /** The customer.split event id, kept for good so that a split published again is the same event. */
  id: string;
  /** The customers split off (the event's parts after the split customer itself). */
  partIds: string[];
  reason: string;
  /** ISO time of the split, compared as text by the relay. */
  at: string;
}

export interface HistoryEntry {
  kind: 'merged' | 'split' | 'moved' | 'review-accepted' | 'review-rejected' | 'operator-merged';
  at: Date;
  reason: string;
  customerIds: string[];
}

export interface CustomerDocument {
  _id: string;
  /** Time of the first event seen for the customer (event time): decides merge survivors. */
  createdAt: Date;
  /** Set when merged into another customer: later events for this id resolve to it. */
  mergedInto?: string;
  /** Outbox flag: false until the merge into mergedInto has been published. */
  mergeAnnounced?: boolean;
  /** Why it was merged away. */
  merge?: MergeRecord;
  /** Customers merged into this one, directly. */
  mergedIds: string[];
  /** Original customers and probabilistically linked records in this cluster: its size. */
  members: string[];
  /** Customers split away from this one; joining them again needs review. */
  separatedFrom: string[];
  history: HistoryEntry[];
  /** Set on a part made by a re-resolution move. */
  move?: MoveRecord;
  /** Outbox flag: false until the move's split has been published. */
  moveAnnounced?: boolean;
  /** When the move was written (the relay leaves younger ones to the writer). */
  movedAt?: Date;
  /** Customers sharing an identifier with this one who are other people. */
  related?: RelatedCustomer[];
  /** Splits of this customer written but not yet published; emptied once Kafka has them. */
  splitOutbox?: SplitOutboxEntry[];
}

export interface TraitRecordDocument {
  _id: string;
  customerId: string;
  record: PreparedRecord;
  /**
   * Set when the record joined an existing customer on the matcher's word, on its own or with the
   * rest of its customer in a probabilistic merge (merged): what re-resolution may move.
   */
  linked?: {
    eventId: string;
    identifiers: Array<{ type: string; value: string }>;
    score?: number;
    parametersVersion?: string;
    merged?: { customerId: string; origins: string[] };
  };
  /** Times re-resolution moved the record. */
  moves?: number;
  createdAt: Date;
}

/** The one document of the training job's state (_id "status"), so any instance can answer for it. */
export interface TrainingStatusDocument {
  _id: 'status';
  state: 'idle' | 'estimating' | 'rematching';
  trigger?: 'schedule' | 'request';
  startedAt?: Date;
  finishedAt?: Date;
  /** The version made current by the last run that finished. */
  version?: string;
  /** Stored trait records the current version was estimated from. */
  trainedOn?: number;
  /** Records matched again under the new version, and the merges that followed. */
  rematched?: number;
  merges?: number;
  /** The last estimate refused because it reproduced fewer review decisions. */
  refused?: { version: string; reason: string; at: Date };
  error?: string;
}

/** What a batch (or a re-resolution) reads of the graph before it is planned. */
export interface LoadedBatch {
  readonly state: GraphState;
  readonly termFrequencies: StoredTermFrequencies;
  /** Merges stored earlier but not yet published (a crash between write and publish). */
  readonly unannounced: PlannedMerge[];
}

/** A customer's current identifiers (not retired) and the ids merged into it: its snapshot and lookup entries. */
export interface CustomerSnapshot {
  identifiers: TypedIdentifier[];
  mergedIds: string[];
}
