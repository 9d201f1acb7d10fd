import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { NeedsProfiledDataV1 } from '@o2o/contracts';
import {
  BulkOperation,
  BulkWritableCollection,
  chunkedBulkWrite,
  ChunkedBulkWriteOptions,
  isDuplicateKeyError,
  loadWithSurvivors,
  ONE_REPLY,
} from '@o2o/mongo';
import {
  fromDocument,
  journalText,
  NeedsProfileDocument,
  PROFILE_CONTENT_FIELDS,
  profileFields,
  publishedFields,
} from './needs-profile.document';
import { LoadedProfiles, NeedsProfileStore, ProfileWrite, StoredNeedsProfile } from '../application/ports/needs-profile.store';
import { NeedsProfileRecord } from './needs-profile.schema';

/** Identity changes remembered per document for idempotency. */
const APPLIED_CHANGES_KEPT = 50;

const WITHOUT_JOURNAL = { journal: 0 } as const;

/**
 * FerretDB v1 (SQLite) can hang when two bulk writes reach one database at once (the event
 * consumer, merges, the stage sweep), so every bulk write goes through libs/mongo's
 * chunkedBulkWrite, one at a time per process, in its default chunks.
 */
const BULK: ChunkedBulkWriteOptions = { serialize: true };

/**
 * Reads and writes needs profile documents. They are stored as `NeedsProfileDocument` (profile,
 * publication and journal entries as JSON text, `stage` as a field for the sweep) and handed out
 * decoded; documents in the older nested form are read too, and each write of a part stores it
 * in the text form and unsets the nested one.
 */
@Injectable()
export class NeedsProfileRepository implements NeedsProfileStore {
  constructor(@InjectModel(NeedsProfileRecord.name) private readonly model: Model<NeedsProfileRecord>) {}

  private get collection() {
    // The raw driver collection: mongoose would cast the free-form profile and strip fields.
    return this.model.collection;
  }

  /** The same collection, taking the loosely typed bulk operations this repository builds. */
  private get bulkTarget(): BulkWritableCollection<BulkOperation> {
    return this.model.collection as BulkWritableCollection<BulkOperation>;
  }

  async find(ids: readonly string[], withJournal = false): Promise<Map<string, StoredNeedsProfile>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const docs = await this.collection
      .find<NeedsProfileDocument>(
        { _id: { $in: unique } } as Record<string, unknown>,
        withJournal ? ONE_REPLY : { projection: WITHOUT_JOURNAL, ...ONE_REPLY },
      )
      .toArray();
    return new Map(docs.map((d) => [d._id, fromDocument(d)]));
  }

  async findOne(id: string, withJournal = false): Promise<StoredNeedsProfile | undefined> {
    return (await this.find([id], withJournal)).get(id);
  }

  /**
   * Reads the documents of the given customers and of the survivors they were merged into: one
   * read, plus one per merge hop only when merged ids appear.
   */
  async loadResolving(ids: readonly string[], withJournal = false): Promise<LoadedProfiles> {
    return loadWithSurvivors(ids, (missing) => this.find(missing, withJournal));
  }

  /**
   * Writes changed profiles, one document write each, in chunked bulk writes: missing documents
   * are inserted whole, existing ones updated only if their version is still the one read.
   * Either can lose a race (an insert to E11000 when another writer created the document first;
   * FerretDB v1 then stops that bulk write, so the rest of it counts as lost too), which the
   * writeId read afterwards tells apart. Returns the ids whose write lost; the caller re-reads
   * and re-applies them (the domain operations are idempotent). `published` is stored in the
   * same write: the caller published it just before. An update also unsets the nested form of
   * what it writes (`profile`, and `published` when it writes one), so a document written by an
   * older release ends up in the text form.
   */
  async save(writes: readonly ProfileWrite[], journalLimit: number): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const writeId = randomUUID();
    const now = new Date();
    const journalOf = (w: ProfileWrite): string[] | undefined => {
      if (journalLimit <= 0 || !w.journal) return undefined;
      return journalText(('replace' in w.journal ? w.journal.replace : w.journal.append).slice(-journalLimit));
    };
    const inserts = writes
      .filter((w) => !w.exists)
      .map((w): BulkOperation => {
        const document: NeedsProfileDocument = {
          _id: w.id,
          ...profileFields(w.profile),
          version: w.expectedVersion + 1,
          writeId,
          updatedAt: now,
        };
        const journal = journalOf(w);
        if (journal !== undefined) document.journal = journal;
        if (w.appliedChange !== undefined) document.appliedChanges = [w.appliedChange];
        if (w.published !== undefined) Object.assign(document, publishedFields(w.published));
        // The driver types _id as an ObjectId; this collection's are strings.
        return { insertOne: { document: { ...document } as Record<string, unknown> } };
      });
    const updates = writes
      .filter((w) => w.exists)
      .map((w): BulkOperation => {
        const set: Record<string, unknown> = { ...profileFields(w.profile), version: w.expectedVersion + 1, writeId, updatedAt: now };
        const unset: Record<string, ''> = { profile: '' };
        const update: Record<string, Record<string, unknown>> = { $set: set, $unset: unset };
        if (w.published !== undefined) {
          Object.assign(set, publishedFields(w.published));
          unset['published'] = '';
        }
        if (w.journal && 'replace' in w.journal) set['journal'] = journalOf(w) ?? [];
        else if (w.journal && w.journal.append.length > 0 && journalLimit > 0)
          update['$push'] = { journal: { $each: journalOf(w) ?? [], $slice: -journalLimit } };
        if (w.revive) Object.assign(unset, { mergedInto: '', tombstonePending: '' });
        if (w.appliedChange !== undefined) {
          update['$push'] = { ...update['$push'], appliedChanges: { $each: [w.appliedChange], $slice: -APPLIED_CHANGES_KEPT } };
        }
        return { updateOne: { filter: { _id: w.id, version: w.expectedVersion }, update } };
      });
    let written = 0;
    try {
      written += (await chunkedBulkWrite(this.bulkTarget, inserts, { ...BULK, ordered: false })).insertedCount;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    written += (await chunkedBulkWrite(this.bulkTarget, updates, { ...BULK, ordered: false })).matchedCount;
    if (written === writes.length) return new Set();
    const after = await this.collection
      .find<Pick<StoredNeedsProfile, '_id' | 'writeId'>>({ _id: { $in: writes.map((w) => w.id) } } as Record<string, unknown>, {
        projection: { writeId: 1 },
      })
      .toArray();
    const ours = new Set(after.filter((d) => d.writeId === writeId).map((d) => d._id));
    return new Set(writes.filter((w) => !ours.has(w.id)).map((w) => w.id));
  }

  /**
   * Records what was published, only on the version it was computed from: if another writer
   * moved the profile meanwhile, it compares against the older payload and publishes its own.
   */
  async markPublished(items: ReadonlyArray<{ id: string; version: number; published: NeedsProfiledDataV1 }>): Promise<void> {
    if (items.length === 0) return;
    await chunkedBulkWrite(
      this.bulkTarget,
      items.map((i): BulkOperation => ({
        updateOne: { filter: { _id: i.id, version: i.version }, update: { $set: publishedFields(i.published), $unset: { published: '' } } },
      })),
      { ...BULK, ordered: false },
    );
  }

  /**
   * Turns a folded customer into a pointer to its survivor. The version moves, so an event
   * writer that read the old profile loses its race and re-reads (finding the pointer).
   * Returns false if another writer moved the document first.
   */
  async markMerged(id: string, survivorId: string, expectedVersion: number, exists: boolean, tombstone: boolean): Promise<boolean> {
    if (!exists) {
      await this.collection.updateOne({ _id: id } as Record<string, unknown>, { $setOnInsert: { version: 0 } }, { upsert: true });
    }
    const result = await this.collection.updateOne({ _id: id, version: expectedVersion } as Record<string, unknown>, {
      $set: { mergedInto: survivorId, version: expectedVersion + 1, tombstonePending: tombstone, updatedAt: new Date() },
      $unset: PROFILE_CONTENT_FIELDS,
    });
    return result.matchedCount === 1;
  }

  async clearTombstonePending(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id } as Record<string, unknown>, { $unset: { tombstonePending: '' } });
  }

  /**
   * One page of live profiles in _id order, without journals, for the stage sweep. Lost
   * customers are skipped: time cannot move them further. Documents not rewritten since the
   * nested form have no `stage` field and are matched on the nested profile instead.
   */
  async page(afterId: string | undefined, limit: number): Promise<StoredNeedsProfile[]> {
    const filter: Record<string, unknown> = {
      mergedInto: { $exists: false },
      $or: [{ stage: { $exists: true, $ne: 'lost' } }, { profile: { $exists: true }, 'profile.stage.current': { $ne: 'lost' } }],
    };
    if (afterId !== undefined) filter['_id'] = { $gt: afterId };
    const docs = await this.collection
      .find<NeedsProfileDocument>(filter, { projection: WITHOUT_JOURNAL })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(fromDocument);
  }
}
