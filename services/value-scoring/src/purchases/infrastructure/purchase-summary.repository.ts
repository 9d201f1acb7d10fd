import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import {
  APPLIED_EVENTS_KEPT,
  BulkOperation,
  BulkWritableCollection,
  chunkedBulkWrite,
  ChunkedBulkWriteOptions,
  ensureThenApply,
  isDuplicateKeyError,
  loadWithSurvivors,
  onceFilter,
  nativeCollectionOf,
  ONE_REPLY,
  recordApplied,
} from '@o2o/mongo';
import { assignLinesToParts, lineKey, SplitPart, unionLines } from '../domain/order-lines';
import { combineArchives } from '../../valuation/domain/purchase-history';
import { addCounts } from '../../valuation/domain/cost-model';
import { bandsDownFrom, growthBandIndex, HIGHEST_BAND } from '../../valuation/domain/growth-band';
import type { OrderArchive, OrderLine, PurchaseSummary, ScoreWrite } from '../../shared-kernel/domain';
import { FitInputs, LoadedSummaries, PurchaseSummaries, SummaryWrite } from '../application/ports/purchase-summaries.port';
import { fromStored, PurchaseSummaryRecord, StoredPurchaseSummary, toStored } from './purchase-summary.schema';

/**
 * FerretDB v1.24 (SQLite backend) runs a bulk write as one transaction, and two or more of them
 * writing the same database at once (consumers of several topics, the model jobs, a second
 * instance in the same process in tests) can hang for good, keeping the database locked. So every
 * bulk write of this service goes through libs/mongo's chunkedBulkWrite, one at a time per
 * process, in its default chunks.
 */
const BULK: ChunkedBulkWriteOptions = { serialize: true };

/** Summary fields the scoring passes need: everything but the (large) order lines and event ids. */
const WITHOUT_LINES = { orders: 0, appliedEvents: 0 } as const;
/** Bands read by the first query of a most-growable page (doubling on each further query). */
const GROWABLE_BANDS_PER_READ = 16;
/** Bands read per further query once a page has begun. */
const GROWABLE_BANDS_NEAR_PAGE = 1;
const FOLD_ATTEMPTS = 5;

/** What a summary created by an upsert ($setOnInsert) starts as, stored form. */
const emptySummary = toStored({ purchases: 0, revenue: 0, orders: [], channels: [], categories: [], revision: 0 });

/** The MongoDB (and FerretDB v1) implementation of the PurchaseSummaries port. */
@Injectable()
export class PurchaseSummaryRepository implements PurchaseSummaries {
  constructor(@InjectModel(PurchaseSummaryRecord.name) private readonly summaries: Model<PurchaseSummaryRecord>) {}

  /** The driver collection, taking the loosely typed operations (operators, dotted paths) this repository builds. */
  private bulkTarget(): BulkWritableCollection<BulkOperation> {
    return this.summaries.collection as BulkWritableCollection<BulkOperation>;
  }

  /**
   * Reads the summaries of the given customers and of the survivors merged ones point to: one
   * read, plus one per merge hop only when merged ids appear.
   */
  async loadResolving(customerIds: readonly string[]): Promise<LoadedSummaries> {
    return loadWithSurvivors(customerIds, async (ids) => new Map((await this.find(ids)).map((d) => [d._id, d])));
  }

  /** The states published at these revisions are in Kafka for good: clears `pendingPublish` (unless the summary moved on). */
  async confirmPublished(published: ReadonlyArray<{ customerId: string; revision: number }>): Promise<void> {
    if (published.length === 0) return;
    await chunkedBulkWrite(
      this.bulkTarget(),
      published.map((p) =>
        updateOne({ _id: p.customerId, revision: p.revision, pendingPublish: true }, { $unset: { pendingPublish: 1, pendingCause: 1 } }),
      ),
      BULK,
    );
  }

  /**
   * Writes new summary states, one document write each, in chunked bulk writes: missing
   * documents are inserted whole, existing ones updated only if they still have the revision the
   * state was computed from. Either can lose a race (an insert to E11000 when another writer
   * created the document first; FerretDB v1 then stops that bulk write, so the rest of it counts
   * as lost too), which the writeId read afterwards tells apart. Returns the ids whose write
   * lost; the caller re-reads and re-applies them.
   */
  async save(writes: readonly SummaryWrite[]): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const writeId = randomUUID();
    const inserts = writes
      .filter((w) => w.expectedRevision === undefined)
      .map((w): BulkOperation => {
        const document: Record<string, unknown> = { ...emptySummary, ...toStored(w.set), _id: w.customerId, writeId };
        return { insertOne: { document } };
      });
    const updates = writes
      .filter((w) => w.expectedRevision !== undefined)
      .map((w) =>
        updateOne(
          { _id: w.customerId, revision: w.expectedRevision },
          {
            $set: { ...toStored(w.set), writeId },
            ...(w.unset.length > 0 ? { $unset: Object.fromEntries(w.unset.map((f) => [f, 1])) } : {}),
          },
        ),
      );
    let written = 0;
    try {
      written += (await chunkedBulkWrite(this.bulkTarget(), inserts, BULK)).insertedCount;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    written += (await chunkedBulkWrite(this.bulkTarget(), updates, BULK)).matchedCount;
    if (written === writes.length) return new Set();
    const after = await this.summaries
      .find({ _id: { $in: writes.map((w) => w.customerId) } }, { writeId: 1 })
      .lean()
      .exec();
    const ours = new Set(after.filter((d) => d.writeId === writeId).map((d) => d._id));
    return new Set(writes.filter((w) => !ours.has(w.customerId)).map((w) => w.customerId));
  }

  /**
   * Through the driver's collection, not the model: the batch read of every touched summary is
   * the hot path, and mongoose's query building (casting each of hundreds of string ids in `$in`
   * against the schema, options, lean conversion) cost more CPU than the read it wraps. The ids
   * are strings already and the documents are converted by fromStored either way.
   */
  async find(customerIds: string[]): Promise<PurchaseSummary[]> {
    if (customerIds.length === 0) return [];
    const stored = await nativeCollectionOf<StoredPurchaseSummary>(this.summaries)
      .find({ _id: { $in: customerIds } }, ONE_REPLY)
      .toArray();
    return stored.map(fromStored);
  }

  async findOne(customerId: string): Promise<PurchaseSummary | null> {
    const found = await this.summaries.findById(customerId).lean<StoredPurchaseSummary>().exec();
    return found ? fromStored(found) : null;
  }

  /** The current revision of each summary (absent: none stored). */
  async revisionsOf(customerIds: string[]): Promise<Map<string, number>> {
    if (customerIds.length === 0) return new Map();
    const found = await this.summaries
      .find({ _id: { $in: customerIds } }, { _id: 1, revision: 1 })
      .batchSize(ONE_REPLY.batchSize)
      .lean<Array<{ _id: string; revision?: number }>>()
      .exec();
    return new Map(found.map((d) => [d._id, d.revision ?? 0]));
  }

  /**
   * Writes scores, each only if its summary still has the revision it was computed from. A
   * write marked `published` (its state is already on the topic) also moves the revision on, as
   * a live write does, so a live writer that read the same revision loses and publishes again
   * after it, and marks the state pending (`pendingPublish`) until confirmPublished says the
   * transaction it went out in committed. Returns the ids of the published writes that lost (the
   * summary had moved on).
   */
  async writeScores(writes: ScoreWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    const writeId = randomUUID();
    // No upserts, so no write can fail on a duplicate key and FerretDB's stop-at-first-error is moot.
    await chunkedBulkWrite(
      this.bulkTarget(),
      writes.map((w) => {
        // A published state is pending until the transaction it went out in committed (confirmPublished).
        const unset = [...(w.unset ?? []), ...(w.published ? ['pendingCause'] : [])];
        return updateOne(
          { _id: w.customerId, revision: w.revision },
          {
            ...(w.published
              ? { $set: { ...toStored(w.set), scoredRevision: w.revision + 1, writeId, pendingPublish: true }, $inc: { revision: 1 } }
              : { $set: toStored(w.set) }),
            ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((f) => [f, 1])) } : {}),
          },
        );
      }),
      BULK,
    );
    const published = writes.filter((w) => w.published).map((w) => w.customerId);
    if (published.length === 0) return [];
    const ours = new Set(
      (
        await this.summaries
          .find({ _id: { $in: published }, writeId }, { _id: 1 })
          .lean()
          .exec()
      ).map((d) => d._id),
    );
    return published.filter((id) => !ours.has(id));
  }

  /**
   * The job's ranking key, written whatever the revision: it only orders the walk, and a
   * customer that changes meanwhile is re-scored live anyway.
   */
  async setRankValues(values: Array<{ customerId: string; rankValue: number }>): Promise<void> {
    if (values.length === 0) return;
    await chunkedBulkWrite(
      this.bulkTarget(),
      values.map((v) => updateOne({ _id: v.customerId, mergedInto: { $exists: false } }, { $set: { rankValue: v.rankValue } })),
      BULK,
    );
  }

  /**
   * A page of the most-growable ranking: live customers with room to grow, by growthValue
   * (highest first, ties by _id), after a cursor. Read band by band from the top (or the
   * cursor's band) down with `$in` on `growthBand`, an equality both MongoDB and FerretDB v1
   * serve from the index (a sort on growthValue is a full scan on FerretDB): every customer of a
   * higher band ranks before every one of a lower band, so once the bands read hold a page after
   * the cursor, the page is complete. Customers scored before bands existed get theirs at the
   * next score write or re-scoring.
   */
  async growablePage(after: { growthValue: number; id: string } | undefined, limit: number): Promise<PurchaseSummary[]> {
    const found: StoredPurchaseSummary[] = [];
    let next: number = after === undefined ? HIGHEST_BAND : (growthBandIndex(after.growthValue) ?? -1);
    // From the top: bands are sparse, so reach wide and widen while they are empty. From a cursor: its band and the next, one by one.
    let chunk = after === undefined ? GROWABLE_BANDS_PER_READ : GROWABLE_BANDS_NEAR_PAGE;
    while (next >= 0) {
      const bands = bandsDownFrom(next, chunk);
      next -= bands.length;
      const docs = await this.summaries
        .find({ growthBand: { $in: bands } }, WITHOUT_LINES)
        .lean<StoredPurchaseSummary[]>()
        .exec();
      for (const d of docs) {
        const g = d.growthValue ?? 0;
        if (d.mergedInto !== undefined || !(g > 0)) continue;
        if (after !== undefined && !(g < after.growthValue || (g === after.growthValue && d._id > after.id))) continue;
        found.push(d);
      }
      if (found.length >= limit) break;
      // Empty bands above the page: widen the reach; once customers turn up, the next bands are denser, so read a few at a time.
      chunk = found.length === 0 ? chunk * 2 : GROWABLE_BANDS_NEAR_PAGE;
    }
    found.sort((a, b) => (b.growthValue ?? 0) - (a.growthValue ?? 0) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    return found.slice(0, limit).map(fromStored);
  }

  /** Next page of live (not merged-away) customers by _id, without order lines. */
  async page(afterId: string | undefined, limit: number): Promise<PurchaseSummary[]> {
    const filter: Record<string, unknown> = { mergedInto: { $exists: false } };
    if (afterId !== undefined) filter['_id'] = { $gt: afterId };
    return (await this.summaries.find(filter, WITHOUT_LINES).sort({ _id: 1 }).limit(limit).lean<StoredPurchaseSummary[]>().exec()).map(
      fromStored,
    );
  }

  /** Next page of fit inputs: customers with a purchase, by _id. */
  async fitPage(afterId: string | undefined, limit: number): Promise<FitInputs[]> {
    const filter: Record<string, unknown> = { mergedInto: { $exists: false }, firstPurchaseDay: { $exists: true } };
    if (afterId !== undefined) filter['_id'] = { $gt: afterId };
    return this.summaries
      .find(filter, { x: 1, mx: 1, firstPurchaseDay: 1, lastPurchaseDay: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  async countWithPurchases(): Promise<number> {
    return this.summaries.countDocuments({ mergedInto: { $exists: false }, firstPurchaseDay: { $exists: true } }).exec();
  }

  /**
   * Next page in descending rankValue, ties by _id: keyset paging on the { rankValue: -1, _id: 1 }
   * index, so the walk never skips or repeats a customer and never holds more than a page.
   */
  async rankPage(after: { rankValue: number; id: string } | undefined, limit: number): Promise<PurchaseSummary[]> {
    const filter: Record<string, unknown> = { mergedInto: { $exists: false }, rankValue: { $exists: true } };
    if (after) filter['$or'] = [{ rankValue: { $lt: after.rankValue } }, { rankValue: after.rankValue, _id: { $gt: after.id } }];
    return (
      await this.summaries.find(filter, WITHOUT_LINES).sort({ rankValue: -1, _id: 1 }).limit(limit).lean<StoredPurchaseSummary[]>().exec()
    ).map(fromStored);
  }

  /**
   * Folds a merged customer's history into the survivor: order lines and applied events are
   * unioned (so folding twice is harmless), totals recomputed from the lines. The survivor is
   * rewritten only at the revision it was read at, so a purchase applied meanwhile by another
   * instance is never overwritten; the merged document keeps its lines for a possible split.
   *
   * The merged document is marked (`mergedInto`, revision bumped) before its lines are read:
   * every live write is conditional on the revision it read, so from the mark on no purchase can
   * land on the merged document any more (a writer that read it before loses its write, re-reads
   * and follows `mergedInto` to the survivor). Marking after the read, as before, let a purchase
   * written in between stay on the merged document, outside the survivor for good (issue 21).
   * A redelivered merge folds again; a fold that adds nothing writes nothing.
   */
  async fold(survivorId: string, mergedId: string): Promise<boolean> {
    await ensureThenApply(
      this.summaries,
      [survivorId, mergedId].map((id) => ({ id, onInsert: emptySummary })),
      [],
      BULK,
    );
    await this.summaries
      .updateOne(
        { _id: mergedId, mergedInto: { $ne: survivorId } },
        { $set: { mergedInto: survivorId }, $unset: { rankValue: 1 }, $inc: { revision: 1 } },
      )
      .exec();
    for (let attempt = 0; attempt < FOLD_ATTEMPTS; attempt++) {
      const [survivor, merged] = await Promise.all([this.findOne(survivorId), this.findOne(mergedId)]);
      if (!survivor || !merged) return false;
      // Split again meanwhile (or merged elsewhere): this merge is no longer the merged customer's state.
      if (merged.mergedInto !== survivorId) return false;
      const orders = unionLines(survivor.orders, merged.orders);
      // Archives (bounded customers) are totals, not sets: each merged one is added once.
      const archive =
        merged.archive && !(survivor.archive?.mergedFrom ?? []).includes(mergedId)
          ? {
              ...(combineArchives(survivor.archive, merged.archive) ?? merged.archive),
              mergedFrom: [...(survivor.archive?.mergedFrom ?? []), mergedId],
            }
          : survivor.archive;
      // Cost counts are totals too: each merged customer's are added once.
      const costs =
        merged.costs && !(survivor.costs?.mergedFrom ?? []).includes(mergedId)
          ? { ...addCounts(survivor.costs, merged.costs), mergedFrom: [...(survivor.costs?.mergedFrom ?? []), mergedId] }
          : survivor.costs;
      const seen = [survivor.firstSeenAt, merged.firstSeenAt].filter((d): d is Date => d instanceof Date);
      const firstSeenAt = seen.length > 0 ? new Date(Math.min(...seen.map((d) => d.getTime()))) : undefined;
      const channels = [...new Set([...survivor.channels, ...merged.channels])];
      const categories = [...new Set([...survivor.categories, ...merged.categories])];
      const adds =
        orders.length !== survivor.orders.length ||
        archive !== survivor.archive ||
        costs !== survivor.costs ||
        channels.length !== survivor.channels.length ||
        categories.length !== survivor.categories.length ||
        firstSeenAt?.getTime() !== survivor.firstSeenAt?.getTime() ||
        merged.appliedEvents.some((id) => !survivor.appliedEvents.includes(id));
      if (!adds) return false;
      const result = await this.summaries
        .updateOne(
          { _id: survivorId, revision: survivor.revision },
          {
            $set: toStored({
              ...totalsOf(orders, archive),
              ...(archive ? { archive } : {}),
              ...(costs ? { costs } : {}),
              ...(firstSeenAt ? { firstSeenAt } : {}),
              channels,
              categories,
              appliedEvents: [...new Set([...survivor.appliedEvents, ...merged.appliedEvents])].slice(-2 * APPLIED_EVENTS_KEPT),
            }),
            $inc: { revision: 1 },
          },
        )
        .exec();
      if (result.matchedCount > 0) return true;
    }
    throw new Error(`could not fold ${mergedId} into ${survivorId}: the survivor kept changing`);
  }

  /**
   * Undoes a merge: the split customer's lines go back to the parts (see assignLinesToParts).
   * The other parts are written first, each once per split event, and the split customer last,
   * so a crash in between replays with the full set of lines and assigns them the same way.
   * The split customer's write is conditional on the revision read: a live purchase written
   * between the read and the write (the identity.events consumer runs beside this one) made it
   * lose, and it is done again on the re-read summary, keeping that purchase (a line written
   * after the read stays with the split customer; before, the split's write dropped it, issue 21).
   * Returns the ids whose history changed.
   */
  async split(eventId: string, customerId: string, parts: SplitPart[]): Promise<string[]> {
    const original = await this.findOne(customerId);
    if (!original || original.appliedEvents.includes(eventId)) return [];
    const assigned = assignLinesToParts(original.orders, parts);
    const others = parts.filter((p) => p.customerId !== customerId);
    await ensureThenApply(
      this.summaries,
      others.map((p) => ({ id: p.customerId, onInsert: emptySummary })),
      others.map((p) => {
        const lines = assigned.get(p.customerId) ?? [];
        return updateOne(onceFilter(p.customerId, eventId), {
          $set: toStored({
            ...totalsOf(lines),
            channels: [...new Set(lines.flatMap((l) => (l.channel ? [l.channel] : [])))],
            categories: [...new Set(lines.flatMap((l) => l.categories))],
          }),
          $unset: { mergedInto: 1, ...absentPurchaseDates(lines) },
          $push: { appliedEvents: recordApplied([eventId, ...lines.flatMap((l) => (l.eventId ? [l.eventId] : []))])['appliedEvents'] },
          $inc: { revision: 1 },
        });
      }),
      BULK,
    );
    const changed = [customerId, ...others.map((p) => p.customerId)];
    const moved = new Set(others.flatMap((p) => (assigned.get(p.customerId) ?? []).map(lineKey)));
    let current = original;
    for (let attempt = 0; attempt < FOLD_ATTEMPTS; attempt++) {
      // The archive of lines folded away (bounded customers) cannot be told apart: it stays here.
      const kept = current.orders.filter((l) => !moved.has(lineKey(l)));
      const archivedPurchases = (current.archive?.purchases ?? 0) > 0;
      const result = await this.summaries
        .updateOne(
          { ...onceFilter(customerId, eventId), revision: current.revision },
          {
            $set: toStored({
              ...totalsOf(kept, current.archive),
              channels: [...new Set(kept.flatMap((l) => (l.channel ? [l.channel] : [])))],
              categories: [...new Set(kept.flatMap((l) => l.categories))],
            }),
            $push: { appliedEvents: recordApplied(eventId)['appliedEvents'] },
            ...(kept.some((l) => l.kind === 'purchase') || archivedPurchases ? {} : { $unset: absentPurchaseDates(kept) }),
            $inc: { revision: 1 },
          },
        )
        .exec();
      if (result.matchedCount > 0) return changed;
      const reread = await this.findOne(customerId);
      // Split by another instance meanwhile: done.
      if (!reread || reread.appliedEvents.includes(eventId)) return changed;
      current = reread;
    }
    throw new Error(`could not split ${customerId}: it kept changing`);
  }
}

/** The running totals as they would be had the lines arrived one by one (with those folded into the archive). */
function totalsOf(orders: OrderLine[], archive?: OrderArchive): Record<string, unknown> {
  const purchases = orders.filter((o) => o.kind === 'purchase');
  const times = purchases.map((o) => o.at.getTime());
  for (const day of [archive?.firstPurchaseDay, archive?.lastPurchaseDay]) if (day) times.push(new Date(day).getTime());
  return {
    orders,
    purchases: purchases.length + (archive?.purchases ?? 0),
    revenue: orders.reduce((sum, o) => sum + o.amount, 0) + (archive?.revenue ?? 0),
    ...(times.length > 0 ? { firstPurchaseAt: new Date(Math.min(...times)), lastPurchaseAt: new Date(Math.max(...times)) } : {}),
  };
}

/** Purchase dates to remove when a split leaves a customer without purchases. */
function absentPurchaseDates(orders: OrderLine[]): Record<string, 1> {
  return orders.some((o) => o.kind === 'purchase') ? {} : { firstPurchaseAt: 1, lastPurchaseAt: 1 };
}

/** Update documents use operators and dotted paths, which the driver's field typing cannot follow. */
function updateOne(filter: Record<string, unknown>, update: Record<string, Record<string, unknown>>): BulkOperation {
  return { updateOne: { filter, update } };
}
