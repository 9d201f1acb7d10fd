import type { NeedsProfiledDataV1 } from '@o2o/contracts';
import type { NeedsProfile } from '../../domain';

/**
 * One applied event, kept so that a split can replay each part's events into a fresh profile
 * (the domain folds events into joins and cannot take one customer's share back out).
 */
export interface JournalEntry {
  /** Event (Segment message) id. */
  id: string;
  /** Event time, normalised. */
  at: string;
  /** The customer the event carried when it arrived, before merged ids were mapped to survivors. */
  customerId: string;
  /** sha256 of each "type:value" identifier the event carried: enough to attribute it in a split without storing the identifiers. */
  identifierHashes: string[];
  /**
   * The resolved event minus identifiers and never-stored traits, as JSON text: properties and
   * traits have free-form keys that must not become MongoDB field names.
   */
  event: string;
}

/**
 * A needs profile document as the store reads and writes it. The repository stores it differently
 * (`NeedsProfileDocument`: profile, publication and journal entries as JSON text).
 */
export interface StoredNeedsProfile {
  _id: string;
  /** Optimistic concurrency: every profile write is conditional on the version it read. */
  version: number;
  /** Absent on stubs of merged-away customers and on documents created but not yet written. */
  profile?: NeedsProfile;
  /** The last payload published on needs.profiles.v1: material changes are judged against it. */
  published?: NeedsProfiledDataV1;
  /** Newest applied events, bounded (NEEDS_JOURNAL_LIMIT). Not read on the hot path (still decoded by FerretDB on every read of the document). */
  journal?: JournalEntry[];
  /** Set once this customer was folded into another: its later events count there. */
  mergedInto?: string;
  /** The merged-away customer's tombstone is still to be published (survives a crash between write and send). */
  tombstonePending?: boolean;
  /** Ids of identity changes (splits) already applied to this document, bounded. */
  appliedChanges?: string[];
  /** Token of the last write, to tell which conditional updates of a bulk write matched. */
  writeId?: string;
  updatedAt?: Date;
}

export interface ProfileWrite {
  id: string;
  /** Version read; the write applies only if the document still has it (0 with `exists: false`). */
  expectedVersion: number;
  /** Whether the document existed when read; missing ones are created by _id first. */
  exists: boolean;
  profile: NeedsProfile;
  journal?: { append: JournalEntry[] } | { replace: JournalEntry[] };
  /** Clears the merged-away marker (a split gives the customer back its own profile). */
  revive?: boolean;
  appliedChange?: string;
  /** The payload just published for this state, stored with it (material changes are judged against it). */
  published?: NeedsProfiledDataV1;
}

export interface LoadedProfiles {
  docs: Map<string, StoredNeedsProfile>;
  /** The customer whose profile holds this id's events now (itself unless merged away). */
  survivorOf(id: string): string;
}

/**
 * Where needs profiles live, as the use cases need them. An abstract class so that it is also the
 * Nest injection token; `NeedsProfileRepository` implements it on MongoDB, unit tests with a map.
 */
export abstract class NeedsProfileStore {
  /** The stored profiles of these customers (absent ones are missing from the map). */
  abstract find(ids: readonly string[], withJournal?: boolean): Promise<Map<string, StoredNeedsProfile>>;
  /** The given customers' documents and those of the survivors they were merged into. */
  abstract loadResolving(ids: readonly string[], withJournal?: boolean): Promise<LoadedProfiles>;
  /**
   * Writes each profile only if its document still has the version read (or is still missing);
   * returns the ids whose write lost that race, for the caller to re-read and re-apply.
   */
  abstract save(writes: readonly ProfileWrite[], journalLimit: number): Promise<Set<string>>;
  /** Records what was published, only on the version it was computed from. */
  abstract markPublished(items: ReadonlyArray<{ id: string; version: number; published: NeedsProfiledDataV1 }>): Promise<void>;
  /** Turns a folded customer into a pointer to its survivor; false if another writer moved it first. */
  abstract markMerged(id: string, survivorId: string, expectedVersion: number, exists: boolean, tombstone: boolean): Promise<boolean>;
  abstract clearTombstonePending(id: string): Promise<void>;
  /** One page of live (not merged, not lost) profiles in id order, without journals. */
  abstract page(afterId: string | undefined, limit: number): Promise<StoredNeedsProfile[]>;
}
