import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { isDuplicateKeyError, nativeCollection } from '@o2o/mongo';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { SegmentDefinition } from '../domain/segment-definition';
import {
  SegmentConflictError,
  type BackfillCause,
  type BackfillProgress,
  type SegmentDocument,
  type StoredSegments,
} from '../application/ports';

const HISTORY_KEPT = 50;
/** Bumped after every write of a definition, by any instance: the cue to read the definitions again. */
const REVISION_KEY = 'segments:revision';
/** Longest a list is used without reading MongoDB, whatever Redis says (a lost bump heals by then). */
const MAX_AGE_MS = 30_000;

@Injectable()
export class SegmentRepository implements StoredSegments {
  private cached: { revision: string | null; at: number; segments: SegmentDefinition[] } | undefined;
  /** The revision at which no back-fill was pending (only a segment write starts one, and it bumps the revision). */
  private nonePending: { revision: string | null; at: number } | undefined;

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  private get segments(): mongo.Collection<SegmentDocument> {
    return nativeCollection<SegmentDocument>(this.connection, 'segments');
  }

  /**
   * Definitions in force (deleted ones excluded): what every evaluation uses. Every batch asks,
   * so the list is kept while the revision in Redis stays the same: one Redis read per batch
   * instead of a MongoDB query. The revision is read before the definitions, so a write that
   * lands in between is picked up by the next call. Without Redis, MongoDB every time.
   */
  async active(): Promise<SegmentDefinition[]> {
    const revision = await this.redis.get(REVISION_KEY).catch(() => undefined);
    const cached = this.cached;
    if (cached !== undefined && revision !== undefined && cached.revision === revision && Date.now() - cached.at < MAX_AGE_MS)
      return cached.segments;
    const at = Date.now();
    const segments = await this.readActive();
    if (revision !== undefined) this.cached = { revision, at, segments };
    return segments;
  }

  /** Drops this process's list (a back-fill page must run on the definitions as stored). */
  forget(): void {
    this.cached = undefined;
  }

  private async readActive(): Promise<SegmentDefinition[]> {
    const documents = await this.segments.find({ deleted: false }, { projection: { definition: 1 } }).toArray();
    return documents.map((d) => d.definition).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Up to `limit` segments in id order after `after` (one more is read to tell whether a next page exists). */
  async list(includeDeleted: boolean, page: { limit: number; after?: string } = { limit: 10_000 }): Promise<SegmentDocument[]> {
    return this.segments
      .find({ ...(includeDeleted ? {} : { deleted: false }), ...(page.after !== undefined ? { _id: { $gt: page.after } } : {}) })
      .sort({ _id: 1 })
      .limit(page.limit)
      .toArray();
  }

  async get(id: string): Promise<SegmentDocument | null> {
    return this.segments.findOne({ _id: id });
  }

  /** Inserts a new segment; false when the id is taken (by a live or a deleted segment). */
  async insert(definition: SegmentDefinition, total: number): Promise<boolean> {
    const now = new Date().toISOString();
    try {
      await this.segments.insertOne({
        _id: definition.id,
        definition,
        deleted: false,
        revision: 1,
        history: [{ ...definition, savedAt: now }],
        createdAt: now,
        updatedAt: now,
        backfill: newBackfill(definition.version, 'created', total),
      });
      await this.changed();
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Creates the segment only if no segment has its id: boot-time defaults never override edits. */
  async ensure(definition: SegmentDefinition, total: number): Promise<void> {
    await this.insert(definition, total);
  }

  /**
   * Saves a revision read at `revision`. A new version restarts the back-fill; a cosmetic edit
   * (same version) leaves memberships and the running back-fill alone.
   */
  async save(current: SegmentDocument, next: SegmentDefinition, total: number, cause: BackfillCause = 'edited'): Promise<SegmentDocument> {
    const now = new Date().toISOString();
    const decisive = next.version !== current.definition.version || current.deleted;
    const history = decisive ? [...current.history, { ...next, savedAt: now }].slice(-HISTORY_KEPT) : current.history;
    const update: Partial<SegmentDocument> = { definition: next, deleted: false, history, updatedAt: now, revision: current.revision + 1 };
    if (decisive) update.backfill = newBackfill(next.version, cause, total);
    const result = await this.segments.updateOne({ _id: current._id, revision: current.revision }, { $set: update });
    if (result.matchedCount === 0) throw new SegmentConflictError(current._id);
    await this.changed();
    return { ...current, ...update };
  }

  /** Marks deleted and starts the back-fill that makes every member exit. */
  async markDeleted(current: SegmentDocument, total: number): Promise<SegmentDocument> {
    const now = new Date().toISOString();
    const update: Partial<SegmentDocument> = {
      deleted: true,
      updatedAt: now,
      revision: current.revision + 1,
      backfill: newBackfill(current.definition.version, 'deleted', total),
    };
    const result = await this.segments.updateOne({ _id: current._id, revision: current.revision }, { $set: update });
    if (result.matchedCount === 0) throw new SegmentConflictError(current._id);
    await this.changed();
    return { ...current, ...update };
  }

  /** Tells every instance's active() to read the definitions again. */
  private async changed(): Promise<void> {
    this.cached = undefined;
    this.nonePending = undefined;
    await this.redis.incr(REVISION_KEY).catch(() => undefined);
  }

  /**
   * Segments whose back-fill has not finished. Every background pass asks; once none is pending,
   * MongoDB is asked again only when the revision in Redis moved (a back-fill starts only with a
   * segment write, which bumps it) or after MAX_AGE_MS (a lost bump), so an idle instance does not
   * read the segments every pass (issue 19). A back-fill pending or running is read every pass.
   */
  async pendingBackfills(): Promise<SegmentDocument[]> {
    const revision = await this.redis.get(REVISION_KEY).catch(() => undefined);
    const none = this.nonePending;
    if (none !== undefined && revision !== undefined && none.revision === revision && Date.now() - none.at < MAX_AGE_MS) return [];
    const at = Date.now();
    const pending = await this.segments.find({ 'backfill.status': { $ne: 'done' } }).toArray();
    this.nonePending = pending.length === 0 && revision !== undefined ? { revision, at } : undefined;
    return pending;
  }

  /**
   * Records a page done, only while the back-fill is still the one being run and nobody else
   * recorded this page: false tells the runner to stop (superseded, or another instance has it).
   */
  async recordProgress(id: string, backfill: BackfillProgress, lastId: string, processed: number, done: boolean): Promise<boolean> {
    const now = new Date().toISOString();
    const set: Record<string, unknown> = { 'backfill.lastId': lastId, 'backfill.status': done ? 'done' : 'running' };
    if (done) set['backfill.finishedAt'] = now;
    if (backfill.startedAt === undefined) set['backfill.startedAt'] = now;
    const result = await this.segments.updateOne(
      { _id: id, 'backfill.runId': backfill.runId, 'backfill.lastId': backfill.lastId },
      { $set: set, $inc: { 'backfill.processed': processed } },
    );
    return result.matchedCount > 0;
  }
}

function newBackfill(version: number, cause: BackfillCause, total: number): BackfillProgress {
  return { runId: randomUUID(), version, cause, status: 'pending', processed: 0, total, lastId: '' };
}
