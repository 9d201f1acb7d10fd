import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { NeedsProfiledDataV1 } from '@o2o/contracts';
import type { BulkOperation } from '@o2o/mongo';
import type { NeedsProfile } from '../domain';
import { JournalEntry, NeedsProfileRecord, StoredNeedsProfile } from './needs-profile.schema';

/** Merge chains longer than this are a bug upstream; following them further would hide it. */
const MAX_MERGE_HOPS = 8;
/** Identity changes remembered per document for idempotency. */
const APPLIED_CHANGES_KEPT = 50;

const WITHOUT_JOURNAL = { journal: 0 } as const;

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
}

export interface LoadedProfiles {
  docs: Map<string, StoredNeedsProfile>;
  /** The customer whose profile holds this id's events now (itself unless merged away). */
  survivorOf(id: string): string;
}

@Injectable()
export class NeedsProfileRepository {
  constructor(@InjectModel(NeedsProfileRecord.name) private readonly model: Model<NeedsProfileRecord>) {}

  private get collection() {
    // The raw driver collection: mongoose would cast the free-form profile and strip fields.
    return this.model.collection;
  }

  async find(ids: readonly string[], withJournal = false): Promise<Map<string, StoredNeedsProfile>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const docs = await this.collection
      .find<StoredNeedsProfile>({ _id: { $in: unique } } as Record<string, unknown>, withJournal ? {} : { projection: WITHOUT_JOURNAL })
      .toArray();
    return new Map(docs.map((d) => [d._id, d]));
  }

  async findOne(id: string, withJournal = false): Promise<StoredNeedsProfile | undefined> {
    return (await this.find([id], withJournal)).get(id);
  }

  /**
   * Reads the documents of the given customers and of the survivors they were merged into: one
   * read, plus one per merge hop only when merged ids appear.
   */
  async loadResolving(ids: readonly string[], withJournal = false): Promise<LoadedProfiles> {
    const docs = await this.find(ids, withJournal);
    for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      const missing = [...docs.values()].flatMap((d) => (d.mergedInto !== undefined && !docs.has(d.mergedInto) ? [d.mergedInto] : []));
      if (missing.length === 0) break;
      for (const [id, doc] of await this.find(missing, withJournal)) docs.set(id, doc);
    }
    const survivorOf = (id: string): string => {
      let current = id;
      for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
        const next = docs.get(current)?.mergedInto;
        if (next === undefined || next === id) return current;
        current = next;
      }
      return current;
    };
    return { docs, survivorOf };
  }

  /**
   * Writes changed profiles in (at most) two bulk writes: missing documents are created by _id
   * with $setOnInsert (never fails on a replay, unlike an upsert filtered on a version: FerretDB
   * v1 stops an unordered bulk write at its first E11000), then every profile is written only if
   * its version is still the one read. Returns the ids whose write lost a race; the caller
   * re-reads and re-applies them (the domain operations are idempotent).
   */
  async save(writes: readonly ProfileWrite[], journalLimit: number): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const missing = writes.filter((w) => !w.exists);
    if (missing.length > 0) {
      await this.collection.bulkWrite(
        missing.map((w) => ({ updateOne: { filter: { _id: w.id }, update: { $setOnInsert: { version: 0 } }, upsert: true } })) as never[],
        { ordered: false },
      );
    }
    const writeId = randomUUID();
    const now = new Date();
    const operations: BulkOperation[] = writes.map((w) => {
      const set: Record<string, unknown> = { profile: w.profile, version: w.expectedVersion + 1, writeId, updatedAt: now };
      const update: Record<string, Record<string, unknown>> = { $set: set };
      if (w.journal && 'replace' in w.journal) set['journal'] = journalLimit > 0 ? w.journal.replace.slice(-journalLimit) : [];
      else if (w.journal && w.journal.append.length > 0 && journalLimit > 0) update['$push'] = { journal: { $each: w.journal.append, $slice: -journalLimit } };
      if (w.revive) update['$unset'] = { mergedInto: '', tombstonePending: '' };
      if (w.appliedChange !== undefined) {
        update['$push'] = { ...update['$push'], appliedChanges: { $each: [w.appliedChange], $slice: -APPLIED_CHANGES_KEPT } };
      }
      return { updateOne: { filter: { _id: w.id, version: w.expectedVersion }, update } };
    });
    const result = await this.collection.bulkWrite(operations as never[], { ordered: true });
    if (result.matchedCount === writes.length) return new Set();
    const after = await this.collection
      .find<Pick<StoredNeedsProfile, '_id' | 'writeId'>>({ _id: { $in: writes.map((w) => w.id) } } as Record<string, unknown>, { projection: { writeId: 1 } })
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
    await this.collection.bulkWrite(
      items.map((i) => ({ updateOne: { filter: { _id: i.id, version: i.version }, update: { $set: { published: i.published } } } })) as never[],
      { ordered: true },
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
      $unset: { profile: '', published: '', journal: '' },
    });
    return result.matchedCount === 1;
  }

  async clearTombstonePending(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id } as Record<string, unknown>, { $unset: { tombstonePending: '' } });
  }

  /**
   * One page of live profiles in _id order, without journals, for the stage sweep. Lost
   * customers are skipped: time cannot move them further.
   */
  async page(afterId: string | undefined, limit: number): Promise<StoredNeedsProfile[]> {
    const filter: Record<string, unknown> = {
      profile: { $exists: true },
      mergedInto: { $exists: false },
      'profile.stage.current': { $ne: 'lost' },
    };
    if (afterId !== undefined) filter['_id'] = { $gt: afterId };
    return this.collection.find<StoredNeedsProfile>(filter, { projection: WITHOUT_JOURNAL }).sort({ _id: 1 }).limit(limit).toArray();
  }
}
