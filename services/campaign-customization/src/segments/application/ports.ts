import type { OutgoingEvent } from '@o2o/kafka';
import type { FlowBucket, FlowChange } from '../domain/membership-flow';
import type { SegmentDefinition } from '../domain/segment-definition';

// What segments' use cases and the projection need of the segment store and the entries-and-exits
// counts. Abstract classes are also Nest injection tokens: segments.module binds each to its
// infrastructure, unit tests pass plain fakes.

export type BackfillCause = 'created' | 'edited' | 'deleted';

/** Progress of re-evaluating every customer after a segment changed. */
export interface BackfillProgress {
  /** Unique per back-fill: a newer change starts another run, and the old runner notices it lost. */
  runId: string;
  /** Segment version (or deletion) being back-filled; a newer change restarts from scratch. */
  version: number;
  cause: BackfillCause;
  status: 'pending' | 'running' | 'done';
  /** Customers re-evaluated so far, and roughly how many there are (counted at start). */
  processed: number;
  total: number;
  /** Last customer id done: pages go by _id, so a restarted back-fill resumes here. */
  lastId: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface SegmentDocument {
  _id: string;
  definition: SegmentDefinition;
  deleted: boolean;
  /** Bumped by every write of this document: edits are conditional on it. */
  revision: number;
  /** Every version that decided membership, oldest first (bounded). */
  history: Array<SegmentDefinition & { savedAt: string }>;
  createdAt: string;
  updatedAt: string;
  backfill: BackfillProgress;
}

export class SegmentConflictError extends Error {
  constructor(id: string) {
    super(`segment ${id} was changed concurrently; retry`);
    this.name = 'SegmentConflictError';
  }
}

/** The segments as stored, with their back-fill progress (SegmentRepository in the service). */
export abstract class StoredSegments {
  /** Definitions in force (deleted ones excluded), in id order: what every evaluation uses. */
  abstract active(): Promise<SegmentDefinition[]>;
  /** Drops this process's copy of the definitions (a back-fill page must run on them as stored). */
  abstract forget(): void;
  /** Up to `limit` segments in id order after `after`. */
  abstract list(includeDeleted: boolean, page?: { limit: number; after?: string }): Promise<SegmentDocument[]>;
  abstract get(id: string): Promise<SegmentDocument | null>;
  /** Inserts a new segment; false when the id is taken (by a live or a deleted segment). */
  abstract insert(definition: SegmentDefinition, total: number): Promise<boolean>;
  /** Creates the segment only if no segment has its id: boot-time defaults never override edits. */
  abstract ensure(definition: SegmentDefinition, total: number): Promise<void>;
  /** Saves a revision read at `current.revision` (SegmentConflictError when it moved on); a new version restarts the back-fill. */
  abstract save(current: SegmentDocument, next: SegmentDefinition, total: number, cause?: BackfillCause): Promise<SegmentDocument>;
  /** Marks deleted and starts the back-fill that makes every member exit (SegmentConflictError when it moved on). */
  abstract markDeleted(current: SegmentDocument, total: number): Promise<SegmentDocument>;
  /** Segments whose back-fill has not finished. */
  abstract pendingBackfills(): Promise<SegmentDocument[]>;
  /** Records a page done while the back-fill is still this run at this position; false tells the runner to stop. */
  abstract recordProgress(id: string, backfill: BackfillProgress, lastId: string, processed: number, done: boolean): Promise<boolean>;
}

/** One membership change as the entries-and-exits counts record it. */
export interface FlowRecord {
  /** Id of the membership change event (deterministic: a re-publication carries the same id). */
  eventId: string;
  segmentId: string;
  change: FlowChange;
  changedAt: string;
}

/** Entries and exits per segment and hour (MembershipFlowStore in the service). */
export abstract class MembershipFlowCounts {
  /** Counts the changes; a change recorded twice counts once. */
  abstract record(changes: readonly FlowRecord[], now?: Date): Promise<void>;
  /** The segment's entries and exits in each of the last `hours` hours, oldest first. */
  abstract read(segmentId: string, hours: number, now?: Date): Promise<FlowBucket[]>;
}

/** Membership changes published on segments.membership.v1 for downstream systems (KafkaMembershipEvents in the service). */
export abstract class MembershipEvents {
  /**
   * Resolves once Kafka has them. skipAcknowledged: the events' ids name one change for good, so
   * those this process already saw acknowledged are left out (one copy on the topic).
   */
  abstract publish(events: readonly OutgoingEvent[], options?: { skipAcknowledged?: boolean }): Promise<void>;
}
