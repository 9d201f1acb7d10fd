import type { MatchParameters, PreparedRecord } from '../../../matching/domain';
import type { BatchLookups, ResolutionPlan } from '../../domain/batch-resolver';
import type { LoadedBatch, TraitRecordDocument } from './identity-graph.records';

/**
 * The identity graph as resolution reads and writes it: a batch's events (resolve-events) and a
 * training run's re-matching of every stored record (train-matching). IdentityGraphRepository
 * implements it with a fixed number of reads per batch and bulk writes, safe to replay.
 */
export abstract class ResolutionGraph {
  /** Everything one batch needs, in a handful of reads whatever the batch size. */
  abstract loadBatch(lookups: BatchLookups, maxBlockSize: number): Promise<LoadedBatch>;
  /**
   * A batch state for resolving again: every record of the customers the ids stand for, the
   * blocks of those records and of `records`, and what they lead to. With `onlyWithLinked`,
   * undefined when none of their records was linked by the matcher (nothing to move).
   */
  abstract loadForReResolution(
    customerIds: readonly string[],
    records: readonly PreparedRecord[],
    maxBlockSize: number,
  ): Promise<LoadedBatch>;
  abstract loadForReResolution(
    customerIds: readonly string[],
    records: readonly PreparedRecord[],
    maxBlockSize: number,
    options: { onlyWithLinked: true },
  ): Promise<LoadedBatch | undefined>;
  /** Stored trait records by id, with the customer each was first linked to. */
  abstract traitRecordsById(ids: readonly string[]): Promise<TraitRecordDocument[]>;
  /**
   * Writes a plan: creations by _id first, then conditional updates; replays change nothing twice.
   * `stored`, what the read the plan was made on found, spares the reads of which documents exist.
   */
  abstract write(plan: ResolutionPlan, stored?: StoredBeforePlanning): Promise<PlanWritten>;
  /** The customer owning each unique identifier id, as stored now. */
  abstract ownersOf(ids: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** The record ids under each blocking key, as stored now. */
  abstract postingsOf(keys: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>;
  /** Raises the outbox flag of merges Kafka acknowledged. */
  abstract markAnnounced(mergedIds: readonly string[]): Promise<void>;
  /** Raises the outbox flag of moves Kafka acknowledged. */
  abstract markMovesAnnounced(partIds: readonly string[]): Promise<void>;
}

/** What the read a plan was made on found stored, before the plan was made. */
export interface StoredBeforePlanning {
  /** The blocking keys that had postings. */
  readonly blockingKeys: ReadonlySet<string>;
}

/** What a write created itself (rather than found created by an earlier write or another instance). */
export interface PlanWritten {
  /** Identifier document ids this write inserted: nobody held them before it. */
  readonly identifiers: ReadonlySet<string>;
  /** Blocking keys this write inserted: no other record was under them before it. */
  readonly blockingKeys: ReadonlySet<string>;
}

/** The match parameters in force (MatchParametersRepository: the newest stored version, re-read periodically). */
export abstract class MatchParametersInForce {
  abstract current(): Promise<MatchParameters>;
}
