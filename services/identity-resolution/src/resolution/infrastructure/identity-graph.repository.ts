import { Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { followMerges } from '@o2o/contracts';
import { chunkedBulkWrite, isDuplicateKeyError, loadWithSurvivors, ONE_REPLY } from '@o2o/mongo';
import { PreparedRecord, TypedIdentifier } from '../../matching/domain';
import { BatchLookups, GraphState, lookupsForRecords, NewIdentifierPlan, ResolutionPlan, termKeysOf } from '../domain/batch-resolver';
import {
  GraphCustomer,
  GraphIdentifier,
  identifierDocumentId,
  LinkedByMatcher,
  PlannedMerge,
  PlannedMove,
  REMATCH_EVENT_PREFIX,
  StoredTraitRecord,
} from '../domain/identity-graph.model';
import { MANUAL_MERGE_RULES } from '../application/merge-customers/merge-rules';
import { ManualMergeKind, MergeGraph } from '../application/merge-customers/merge-customers.ports';
import { ExplainGraph } from '../application/explain-customer/explain-customer.ports';
import { LookupGraph } from '../application/lookup-identity/lookup-identity.ports';
import { MigrationGraph } from '../application/migrate-customer-ids/migrate-customer-ids.ports';
import {
  CustomerDocument,
  CustomerSnapshot,
  HistoryEntry,
  IdentifierDocument,
  LoadedBatch,
  MergeRecord,
  SplitOutboxEntry,
  TraitRecordDocument,
} from '../application/ports/identity-graph.records';
import { PlanWritten, ResolutionGraph, StoredBeforePlanning } from '../application/ports/resolution-graph.port';
import { DetachedPart, SplitGraph } from '../application/split-customer/split-customer.ports';
import { IdentityCollections } from './identity-graph.collections';
import { HistoryRetention } from './history-retention';
import { IdentifierRetention } from './identifier-retention';
import { TermFrequencyStore } from './term-frequency.store';
import { WriteSerializer } from './write-serializer';

/**
 * FerretDB v1 (SQLite) commits each update statement on its own (~10 ms each here) and stalls
 * outright on a bulk write of about a hundred updates; inserts are cheap. So new documents are
 * inserted and updates go in short ordered bulks (chunkedBulkWrite); the WriteSerializer already
 * keeps this repository's writes one at a time.
 */
const ORDERED = { ordered: true } as const;

interface InsertCollection<T extends { _id: string }> {
  find(filter: mongo.Filter<T>, options: { projection: { _id: 1 } }): { toArray(): Promise<Array<{ _id: string }>> };
  insertMany(documents: ReadonlyArray<mongo.OptionalUnlessRequiredId<T>>, options: { ordered: boolean }): Promise<unknown>;
}

/**
 * The documents whose _id does not exist yet (duplicates in the input collapsed): one read. With
 * insertDocuments it is what $setOnInsert upserts do, as one read and one insert. Replays insert
 * nothing. Only a genuine race with another instance between the read and the insert raises
 * E11000; the batch is then retried and the read sees the winner's document (the effect is the
 * same as if it had been first).
 */
async function missingOf<T extends { _id: string }>(collection: InsertCollection<T>, documents: readonly T[]): Promise<T[]> {
  if (documents.length === 0) return [];
  const unique = [...new Map(documents.map((d) => [d._id, d])).values()];
  const existing = new Set(
    (
      await collection
        .find({ _id: { $in: unique.map((d) => d._id) } } as mongo.Filter<T>, { projection: { _id: 1 }, ...ONE_REPLY })
        .toArray()
    ).map((d) => d._id),
  );
  return unique.filter((d) => !existing.has(d._id));
}

async function insertDocuments<T extends { _id: string }>(collection: InsertCollection<T>, missing: readonly T[]): Promise<void> {
  if (missing.length > 0)
    await collection.insertMany(missing as unknown as ReadonlyArray<mongo.OptionalUnlessRequiredId<T>>, { ordered: false });
}

/** Where an ordered insert stopped: the index of its first refused document (0 when the reply does not say). */
function firstRefused(error: unknown): number {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const first: unknown = Array.isArray(writeErrors) ? writeErrors[0] : undefined;
  const index = (first as { index?: unknown } | undefined)?.index;
  return typeof index === 'number' && index >= 0 ? index : 0;
}

/**
 * Inserts documents expected not to exist yet (new ids of this plan, or ids the batch's read found
 * absent): one insert command, and no read before it. An E11000 (a replay of a batch whose write
 * was cut short, or another instance's insert since the read) falls back to missingOf's read for
 * the documents from the refused one on and inserts what is still missing, as missingOf and
 * insertDocuments would have done from the start. Ordered, so that the documents before the
 * refused one are known to be this call's. Returns the ids this call inserted.
 */
async function insertExpectedNew<T extends { _id: string }>(
  collection: InsertCollection<T>,
  documents: readonly T[],
): Promise<Set<string>> {
  const unique = [...new Map(documents.map((d) => [d._id, d])).values()];
  if (unique.length === 0) return new Set();
  try {
    await collection.insertMany(unique as unknown as ReadonlyArray<mongo.OptionalUnlessRequiredId<T>>, ORDERED);
    return new Set(unique.map((d) => d._id));
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const refused = firstRefused(error);
    const missing = await missingOf(collection, unique.slice(refused));
    await insertDocuments(collection, missing);
    return new Set([...unique.slice(0, refused), ...missing].map((d) => d._id));
  }
}

/** Inserts `missing` when a read decided it, else `documents` as expected new; the ids this call inserted. */
async function create<T extends { _id: string }>(
  collection: InsertCollection<T>,
  documents: readonly T[],
  missing: readonly T[] | undefined,
): Promise<Set<string>> {
  if (missing === undefined) return insertExpectedNew(collection, documents);
  await insertDocuments(collection, missing);
  return new Set(missing.map((d) => d._id));
}

/** The customer an id stands for in a chain read by customersFollowingMerges. */
function currentIn(chain: ReadonlyMap<string, CustomerDocument>, id: string): CustomerDocument | undefined {
  return chain.get(followMerges(id, (cursor) => chain.get(cursor)?.mergedInto));
}

function toGraphCustomer(doc: CustomerDocument): GraphCustomer {
  return {
    id: doc._id,
    createdAt: doc.createdAt.toISOString(),
    ...(doc.mergedInto !== undefined ? { mergedInto: doc.mergedInto } : {}),
    ...(doc.mergeAnnounced !== undefined ? { mergeAnnounced: doc.mergeAnnounced } : {}),
    members: doc.members ?? [doc._id],
    separatedFrom: doc.separatedFrom ?? [],
  };
}

function plannedFromRecord(mergedId: string, merge: MergeRecord): PlannedMerge {
  return {
    survivorId: merge.survivorId,
    mergedId,
    reason: merge.reason,
    evidence: merge.evidence,
    link: merge.link,
    members: [],
    separatedFrom: [],
  };
}

/** The stored form of a record's link on the matcher's word (plain objects, no undefined fields). */
function linkedDocument(linked: LinkedByMatcher): NonNullable<TraitRecordDocument['linked']> {
  return {
    eventId: linked.eventId,
    identifiers: linked.identifiers.map(({ type, value }) => ({ type, value })),
    ...(linked.score !== undefined ? { score: linked.score } : {}),
    ...(linked.parametersVersion !== undefined ? { parametersVersion: linked.parametersVersion } : {}),
    ...(linked.merged !== undefined ? { merged: { customerId: linked.merged.customerId, origins: [...linked.merged.origins] } } : {}),
  };
}

/** Graph changes written and not yet published: what the outbox relay reads each pass. */
export interface UnannouncedChanges {
  moves: Array<{ move: PlannedMove; merge?: PlannedMerge }>;
  merges: PlannedMerge[];
  splits: Array<{ customerId: string; split: SplitOutboxEntry }>;
}

/** Records read per batch for the holders of its identifiers: enough to tell a sharer from the holder. */
const HOLDER_RECORDS_READ = 500;

/**
 * The identity graph in the service's own database. Every write is safe to replay and never
 * relies on E11000 inside a bulk write (FerretDB v1 stops an unordered bulk write at its first
 * error): documents are created by _id with $setOnInsert, everything else is a conditional
 * update without upsert.
 */
@Injectable()
export class IdentityGraphRepository implements MergeGraph, ResolutionGraph, SplitGraph, MigrationGraph, LookupGraph, ExplainGraph {
  constructor(
    private readonly db: IdentityCollections,
    private readonly terms: TermFrequencyStore,
    private readonly serializer: WriteSerializer,
    private readonly retention: IdentifierRetention,
    private readonly history: HistoryRetention,
  ) {}

  /** Everything one batch needs, in a handful of reads whatever the batch size. */
  async loadBatch(lookups: BatchLookups, maxBlockSize: number): Promise<LoadedBatch> {
    const [owners, postings] = await Promise.all([
      lookups.identifierIds.length > 0
        ? this.db.identifiers.find({ _id: { $in: lookups.identifierIds } }, ONE_REPLY).toArray()
        : Promise.resolve([]),
      lookups.blockingKeys.length > 0
        ? this.db.blockingIndex.find({ _id: { $in: lookups.blockingKeys } }, ONE_REPLY).toArray()
        : Promise.resolve([]),
    ]);
    const postingMap = new Map(postings.map((p) => [p._id, [...p.ids]]));
    const recordIds = [
      ...new Set([...postings.filter((p) => p.ids.length <= maxBlockSize).flatMap((p) => p.ids), ...(lookups.recordIds ?? [])]),
    ];
    // With personal traits in the batch, the records of the customers its identifiers belong to
    // as well: whether an e-mail names the same person as its holder is judged on them.
    const holders = lookups.blockingKeys.length > 0 ? [...new Set(owners.filter((o) => o.unique).map((o) => o.customerId))] : [];
    // The customers the identifiers name (and their identifiers) are known now: read in the same
    // round as the records. Only customers named by records alone (a lookalike of another
    // customer) or found by following merges need a round of their own, usually none.
    const ownerCustomers = [...new Set(owners.map((o) => o.customerId))];
    const [byId, byHolder, ownersFollowed, ownerIdentifiers] = await Promise.all([
      recordIds.length > 0 ? this.db.traitRecords.find({ _id: { $in: recordIds } }, ONE_REPLY).toArray() : Promise.resolve([]),
      holders.length > 0
        ? this.db.traitRecords
            .find({ customerId: { $in: holders } }, ONE_REPLY)
            .limit(HOLDER_RECORDS_READ)
            .toArray()
        : Promise.resolve([]),
      this.customersFollowingMerges(ownerCustomers),
      this.identifiersOf(ownerCustomers),
    ]);
    const recordDocs = [...new Map([...byId, ...byHolder].map((r) => [r._id, r])).values()];
    const records = new Map<string, StoredTraitRecord>(
      recordDocs.map((r) => [
        r._id,
        {
          record: r.record,
          customerId: r.customerId,
          ...(r.linked !== undefined ? { linked: r.linked } : {}),
          ...(r.moves !== undefined ? { moves: r.moves } : {}),
        },
      ]),
    );

    // Name counts of the batch's records and of the stored ones they may be compared with: how
    // common a spelling is tells a typing error from another name (see differentFirstNames).
    const ownerSet = new Set(ownerCustomers);
    const recordsOnly = [...new Set(recordDocs.map((r) => r.customerId))].filter((id) => !ownerSet.has(id));
    const [recordsFollowed, recordIdentifiers, termFrequencies] = await Promise.all([
      this.customersFollowingMerges(recordsOnly.filter((id) => !ownersFollowed.has(id))),
      this.identifiersOf(recordsOnly),
      this.terms.read([...new Set([...lookups.termKeys, ...termKeysOf(recordDocs.map((r) => r.record))])]),
    ]);
    const customers = new Map([...ownersFollowed, ...recordsFollowed]);
    const read = new Set([...ownerCustomers, ...recordsOnly]);
    const identifierDocs = [
      ...[...ownerIdentifiers, ...recordIdentifiers].filter((d) => customers.has(d.customerId)),
      ...(await this.identifiersOf([...customers.keys()].filter((id) => !read.has(id)))),
    ];

    const ownerMap = new Map<string, GraphIdentifier>(
      owners.map((o) => [
        o._id,
        {
          type: o.type,
          value: o.value,
          customerId: o.customerId,
          originCustomerId: o.originCustomerId ?? o.customerId,
          ...(o.shared === true ? { shared: true } : {}),
        },
      ]),
    );
    const state = new GraphState(
      ownerMap,
      new Map([...customers.values()].map((c) => [c._id, toGraphCustomer(c)])),
      identifierDocs.map((d) => ({
        type: d.type,
        value: d.value,
        customerId: d.customerId,
        originCustomerId: d.originCustomerId ?? d.customerId,
      })),
      records,
      postingMap,
    );
    const unannounced = [...customers.values()]
      .filter((c) => c.mergedInto !== undefined && c.mergeAnnounced === false && c.merge !== undefined)
      .flatMap((c) => (c.merge ? [plannedFromRecord(c._id, c.merge)] : []));
    return { state, termFrequencies, unannounced };
  }

  /**
   * A batch state for resolving again: every record of the customers the ids stand for (however
   * large their blocks), the blocks of those records and of `records`, and what they lead to.
   */
  loadForReResolution(customerIds: readonly string[], records: readonly PreparedRecord[], maxBlockSize: number): Promise<LoadedBatch>;
  loadForReResolution(
    customerIds: readonly string[],
    records: readonly PreparedRecord[],
    maxBlockSize: number,
    options: { onlyWithLinked: true },
  ): Promise<LoadedBatch | undefined>;
  async loadForReResolution(
    customerIds: readonly string[],
    records: readonly PreparedRecord[],
    maxBlockSize: number,
    options: { onlyWithLinked?: boolean } = {},
  ): Promise<LoadedBatch | undefined> {
    const whole = await this.recordsOfCustomers(customerIds);
    // Nothing the matcher linked, nothing to move: the rest of the read is skipped.
    if (options.onlyWithLinked === true && !whole.some((r) => r.linked !== undefined)) return undefined;
    return this.loadBatch(
      { ...lookupsForRecords([...records, ...whole.map((r) => r.record)]), recordIds: whole.map((r) => r._id) },
      maxBlockSize,
    );
  }

  /** The identifiers (not retired) of the customers, as loadBatch's graph state takes them. */
  private identifiersOf(
    customerIds: readonly string[],
  ): Promise<Array<Pick<IdentifierDocument, 'type' | 'value' | 'customerId' | 'originCustomerId'>>> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return this.db.identifiers
      .find(
        { customerId: { $in: [...customerIds] }, retired: { $ne: true } },
        { projection: { type: 1, value: 1, customerId: 1, originCustomerId: 1 }, ...ONE_REPLY },
      )
      .toArray();
  }

  /** Stored trait records by id, with the customer each was first linked to. */
  traitRecordsById(ids: readonly string[]): Promise<TraitRecordDocument[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.db.traitRecords.find({ _id: { $in: [...ids] } }, ONE_REPLY).toArray();
  }

  /**
   * Every trait record of the customers the ids stand for now (their own, and those of the
   * customers merged into them), up to HOLDER_RECORDS_READ: what re-resolution judges a record's
   * place on.
   */
  async recordsOfCustomers(ids: readonly string[]): Promise<TraitRecordDocument[]> {
    if (ids.length === 0) return [];
    const chain = await this.customersFollowingMerges(ids);
    const standing = [...new Set(ids.flatMap((id) => currentIn(chain, id) ?? []))];
    const owners = [...new Set(standing.flatMap((customer) => [customer._id, ...(customer.members ?? [])]))];
    return this.db.traitRecords
      .find({ customerId: { $in: owners } }, ONE_REPLY)
      .limit(HOLDER_RECORDS_READ)
      .toArray();
  }

  /** Customers by id, with every customer they were merged into. */
  async customersFollowingMerges(ids: readonly string[]): Promise<Map<string, CustomerDocument>> {
    if (ids.length === 0) return new Map();
    const { docs } = await loadWithSurvivors(ids, async (pending) => {
      const found = await this.db.customers.find({ _id: { $in: pending } }, ONE_REPLY).toArray();
      return new Map(found.map((doc) => [doc._id, doc]));
    });
    return docs;
  }

  /**
   * Writes a plan: creations by _id first, then conditional updates; replays change nothing twice.
   * With `stored` (what the batch's read found), the documents the plan creates are inserted
   * without reading first whether they exist (insertExpectedNew), and blocking keys the read found
   * are extended without one either.
   */
  write(plan: ResolutionPlan, stored?: StoredBeforePlanning): Promise<PlanWritten> {
    return this.serializer.run(() => this.writeNow(plan, stored));
  }

  private async writeNow(plan: ResolutionPlan, stored: StoredBeforePlanning | undefined): Promise<PlanWritten> {
    const now = new Date();
    const customers = [
      ...plan.newCustomers.map((c) => ({
        _id: c.id,
        createdAt: new Date(c.createdAt),
        mergedIds: [],
        members: [c.id],
        separatedFrom: [],
        history: [] as HistoryEntry[],
      })),
      // A record re-resolution moved gets a customer of its own first (the part), merged on below.
      ...plan.moves.map((m) => ({
        _id: m.partId,
        createdAt: new Date(m.at),
        mergedIds: [],
        members: [m.partId, `record:${m.eventId}`],
        separatedFrom: [],
        history: [{ kind: 'moved' as const, at: new Date(m.at), reason: m.reason, customerIds: [m.fromId, m.partId] }],
        move: {
          fromId: m.fromId,
          recordId: m.recordId,
          eventId: m.eventId,
          identifiers: m.identifiers.map(({ type, value }) => ({ type, value })),
          reason: m.reason,
          support: Number.isFinite(m.support) ? m.support : -1e9,
          ...(m.score !== undefined ? { score: m.score } : {}),
          ...(m.toId !== undefined ? { toId: m.toId } : {}),
          at: new Date(m.at),
          moves: m.moves,
        },
        moveAnnounced: false,
        movedAt: now,
      })),
    ];
    const identifiers = plan.newIdentifiers.map((n) => ({
      _id: identifierDocumentId(n, n.unique, n.originCustomerId),
      type: n.type,
      value: n.value,
      unique: n.unique,
      customerId: n.customerId,
      originCustomerId: n.originCustomerId,
      firstSeenAt: new Date(n.evidence.at),
      evidence: n.evidence,
    }));
    const records = plan.newRecords.map((r) => ({
      _id: r.id,
      customerId: r.customerId,
      record: r.record,
      ...(r.linked !== undefined ? { linked: linkedDocument(r.linked) } : {}),
      createdAt: now,
    }));
    const postings = new Map<string, string[]>();
    for (const record of plan.newRecords) for (const key of record.keys) postings.set(key, [...(postings.get(key) ?? []), record.id]);
    const keys = [...postings.entries()].map(([key, ids]) => ({ _id: key, ids }));
    const reviews = plan.reviews.map((r) => ({
      _id: r.id,
      kind: r.kind,
      status: 'pending' as const,
      customerIds: [r.customerIds[0], r.customerIds[1]] as [string, string],
      reason: r.reason,
      ...(r.score !== undefined ? { score: r.score } : {}),
      evidence: r.evidence.map(({ type, value }) => ({ type, value })),
      eventId: r.eventId,
      at: new Date(r.at),
      createdAt: now,
    }));
    // Without what the batch's read found: which documents exist, for every collection the plan
    // creates documents in, in one round of reads rather than one before each insert (none of the
    // plan's own writes creates a document another of these reads looks for, so the answers are
    // the same). With it: no read, the plan's documents are expected new (insertExpectedNew).
    const missing =
      stored === undefined
        ? await Promise.all([
            missingOf(this.db.customers, customers),
            missingOf(this.db.identifiers, identifiers),
            missingOf(this.db.traitRecords, records),
            missingOf(this.db.blockingIndex, keys),
            missingOf(this.db.reviewQueue, reviews),
          ])
        : undefined;
    await create(this.db.customers, customers, missing?.[0]);
    const createdIdentifiers = await create(this.db.identifiers, identifiers, missing?.[1]);
    await this.applyMovesNow(plan.moves);
    await this.applyMergesNow(plan.merges);
    const members = new Map<string, string[]>();
    for (const link of plan.memberLinks) members.set(link.customerId, [...(members.get(link.customerId) ?? []), link.member]);
    await chunkedBulkWrite(
      this.db.customers,
      [...members.entries()].map(([customerId, added]) => ({
        updateOne: { filter: { _id: customerId }, update: { $addToSet: { members: { $each: added } } } },
      })),
      ORDERED,
    );
    const createdRecords = await create(this.db.traitRecords, records, missing?.[2]);
    // A customer the matcher merged away: its records (stored before, or by this plan just above)
    // become joined on the matcher's word, so the next estimate re-examines the merge. Only records
    // not linked already: a record keeps the first reason it has, so a replay marks nothing twice.
    await chunkedBulkWrite(
      this.db.traitRecords,
      plan.marks.map((mark) => ({
        updateMany: {
          filter: { customerId: { $in: [...mark.origins] }, linked: { $exists: false } },
          update: { $set: { linked: linkedDocument(mark.linked) } },
        },
      })),
      ORDERED,
    );
    await chunkedBulkWrite(
      this.db.traitRecords,
      plan.moves.map((m) => ({
        updateMany: {
          filter: { _id: { $in: [...(m.recordIds ?? [m.recordId])] }, moves: { $ne: m.moves } },
          update: { $set: { customerId: m.partId, moves: m.moves } },
        },
      })),
      ORDERED,
    );
    const createdKeys = await create(
      this.db.blockingIndex,
      keys.filter((d) => stored === undefined || !stored.blockingKeys.has(d._id)),
      missing?.[3],
    );
    const extended = keys.filter((d) => !createdKeys.has(d._id));
    const { matchedCount } = await chunkedBulkWrite(
      this.db.blockingIndex,
      extended.map((d) => ({ updateOne: { filter: { _id: d._id }, update: { $addToSet: { ids: { $each: d.ids } } } } })),
      ORDERED,
    );
    // A key found by the batch's read and emptied by an erasure since (which deletes it) is created after all.
    if (matchedCount < extended.length)
      for (const id of await create(this.db.blockingIndex, extended, await missingOf(this.db.blockingIndex, extended))) createdKeys.add(id);
    // Term counts grow only for records this write created, so a replayed batch counts nothing twice.
    await this.terms.add(plan.newRecords.filter((r) => createdRecords.has(r.id)).map((r) => r.record));
    await create(this.db.reviewQueue, reviews, missing?.[4]);
    if (plan.sharedIdentifiers.length > 0)
      await this.db.identifiers.updateMany({ _id: { $in: plan.sharedIdentifiers } }, { $set: { shared: true } });
    await chunkedBulkWrite(
      this.db.customers,
      plan.relations.flatMap((relation) =>
        [relation.customerIds, [relation.customerIds[1], relation.customerIds[0]] as const].map(([self, other]) => ({
          updateOne: {
            filter: { _id: self, 'related.customerId': { $ne: other } },
            update: {
              $push: {
                related: { customerId: other, kind: relation.kind, via: relation.via, reason: relation.reason, at: new Date(relation.at) },
              },
            },
          },
        })),
      ),
      ORDERED,
    );
    // Bounded customers: those that gained identifiers of a bounded type, or a merged customer's.
    // A customer this plan created holds only what the plan gave it: read only if that is too many.
    const created = new Set(plan.newCustomers.map((c) => c.id));
    const gained = new Map<string, NewIdentifierPlan[]>();
    for (const n of plan.newIdentifiers)
      if (this.retention.bounds(n.type)) gained.set(n.customerId, [...(gained.get(n.customerId) ?? []), n]);
    await this.retention.apply([
      ...[...gained].filter(([customerId, added]) => !created.has(customerId) || this.retention.exceeds(added)).map(([id]) => id),
      ...plan.merges.map((m) => m.survivorId),
    ]);
    return { identifiers: createdIdentifiers, blockingKeys: createdKeys };
  }

  /**
   * Records re-resolution moved: the record, its member entry and the identifiers its event
   * attached leave the customer for the part (which a merge may then fold into another customer).
   * Each update is conditional on the record still being where the move found it, so a replay
   * moves nothing twice.
   */
  private async applyMovesNow(moves: ResolutionPlan['moves']): Promise<void> {
    if (moves.length === 0) return;
    await chunkedBulkWrite(
      this.db.identifiers,
      moves.flatMap((m) => {
        // A merged customer's records take its identifiers (those of the customers it was made
        // of); a record linked on its own, those its event attached.
        const filter: mongo.Filter<IdentifierDocument> | undefined =
          m.origins === undefined
            ? { customerId: m.fromId, 'evidence.eventId': m.eventId }
            : m.identifiers.length > 0
              ? {
                  customerId: m.fromId,
                  originCustomerId: { $in: [...m.origins] },
                  $or: m.identifiers.map(({ type, value }) => ({ type, value })),
                }
              : undefined;
        return filter !== undefined
          ? [{ updateMany: { filter, update: { $set: { customerId: m.partId, originCustomerId: m.partId } } } }]
          : [];
      }),
      ORDERED,
    );
    await chunkedBulkWrite(
      this.db.customers,
      moves.map((m) => ({
        updateOne: {
          filter: { _id: m.fromId, members: `record:${m.eventId}` },
          update: {
            $pull: { members: `record:${m.eventId}` },
            $push: {
              history: this.history.push({
                kind: 'moved' as const,
                at: new Date(m.at),
                reason: m.reason,
                customerIds: [m.fromId, m.partId],
              }),
            },
          },
        },
      })),
      ORDERED,
    );
    await this.history.trim(moves.map((m) => m.fromId));
  }

  /**
   * Folds merged customers into survivors: the merged customer's conditional update only applies
   * once (mergedInto absent), the survivor's $addToSet is idempotent, identifiers follow.
   */
  applyMerges(merges: readonly PlannedMerge[]): Promise<void> {
    return this.serializer.run(() => this.applyMergesNow(merges));
  }

  private async applyMergesNow(merges: readonly PlannedMerge[]): Promise<void> {
    if (merges.length === 0) return;
    const customerOps: Array<mongo.AnyBulkWriteOperation<CustomerDocument>> = [];
    for (const m of merges) {
      const record: MergeRecord = {
        survivorId: m.survivorId,
        reason: m.reason,
        evidence: m.evidence.map(({ type, value }) => ({ type, value })),
        link: m.link,
        at: new Date(m.link.at),
      };
      customerOps.push({
        updateOne: {
          filter: { _id: m.mergedId, mergedInto: { $exists: false } },
          update: { $set: { mergedInto: m.survivorId, mergeAnnounced: false, merge: record } },
        },
      });
      customerOps.push({
        updateOne: {
          filter: { _id: m.survivorId },
          update: {
            $addToSet: {
              mergedIds: m.mergedId,
              members: { $each: [...new Set([m.mergedId, ...m.members])] },
              ...(m.separatedFrom.length > 0 ? { separatedFrom: { $each: [...m.separatedFrom] } } : {}),
            },
          },
        },
      });
    }
    await chunkedBulkWrite(this.db.customers, customerOps, ORDERED);
    await chunkedBulkWrite(
      this.db.identifiers,
      merges.map((m) => ({ updateMany: { filter: { customerId: m.mergedId }, update: { $set: { customerId: m.survivorId } } } })),
      ORDERED,
    );
  }

  async ownersOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.db.identifiers.find({ _id: { $in: [...ids] } }, { projection: { customerId: 1 }, ...ONE_REPLY }).toArray();
    return new Map(docs.map((d) => [d._id, d.customerId]));
  }

  async postingsOf(keys: readonly string[]): Promise<Map<string, string[]>> {
    if (keys.length === 0) return new Map();
    const docs = await this.db.blockingIndex.find({ _id: { $in: [...keys] } }, ONE_REPLY).toArray();
    return new Map(docs.map((d) => [d._id, d.ids]));
  }

  /**
   * What the outbox relay publishes, in one read of the customers (each kind was a scan of its
   * own on FerretDB, three per pass): up to `limit` of each kind, written before `before`.
   * - moves written but not yet published (a crash between the two), with the merge that took each part on;
   * - merges made outside a consumer batch (a reviewer's, an operator's, a training run's
   *   re-matching) not yet published (a crash or a Kafka outage between the two). A batch's own
   *   merges are not here: its redelivery publishes them;
   * - splits not yet published, oldest first, each with the customer it split.
   */
  async unannouncedChanges(before: Date, limit: number): Promise<UnannouncedChanges> {
    const cutoff = before.toISOString();
    const docs = await this.db.customers
      .find(
        {
          $or: [
            { moveAnnounced: false, movedAt: { $lt: before } },
            {
              mergeAnnounced: false,
              'merge.at': { $lt: before },
              $or: [
                { 'merge.link.rule': { $in: [...MANUAL_MERGE_RULES] } },
                { 'merge.link.eventId': { $regex: `^${REMATCH_EVENT_PREFIX}` } },
              ],
            },
            { 'splitOutbox.at': { $lt: cutoff } },
          ],
        },
        ONE_REPLY,
      )
      .limit(3 * limit)
      .toArray();
    const moves = docs
      .filter((d) => d.moveAnnounced === false && d.movedAt !== undefined && d.movedAt.getTime() < before.getTime())
      .slice(0, limit)
      .flatMap((doc) => {
        const m = doc.move;
        if (m === undefined) return [];
        const move: PlannedMove = {
          recordId: m.recordId,
          eventId: m.eventId,
          fromId: m.fromId,
          partId: doc._id,
          ...(m.toId !== undefined ? { toId: m.toId } : {}),
          identifiers: m.identifiers,
          reason: m.reason,
          support: m.support,
          ...(m.score !== undefined ? { score: m.score } : {}),
          at: m.at.toISOString(),
          moves: m.moves,
        };
        return [{ move, ...(doc.merge !== undefined ? { merge: plannedFromRecord(doc._id, doc.merge) } : {}) }];
      });
    const merges = docs
      .filter(
        (d) =>
          d.mergeAnnounced === false &&
          d.merge !== undefined &&
          d.merge.at.getTime() < before.getTime() &&
          (MANUAL_MERGE_RULES.includes(d.merge.link.rule) || d.merge.link.eventId.startsWith(REMATCH_EVENT_PREFIX)),
      )
      .slice(0, limit)
      .flatMap((d) => (d.merge !== undefined && d.mergedInto !== undefined ? [plannedFromRecord(d._id, d.merge)] : []));
    const splits = docs
      .flatMap((d) => (d.splitOutbox ?? []).filter((split) => split.at < cutoff).map((split) => ({ customerId: d._id, split })))
      .sort((a, b) => a.split.at.localeCompare(b.split.at))
      .slice(0, limit);
    return { moves, merges, splits };
  }

  /** Takes published splits out of their customers' outboxes: exactly those entries, as stored. */
  async markSplitsAnnounced(splits: ReadonlyArray<{ customerId: string; split: SplitOutboxEntry }>): Promise<void> {
    if (splits.length === 0) return;
    const byCustomer = new Map<string, SplitOutboxEntry[]>();
    for (const { customerId, split } of splits) byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), split]);
    await this.db.customers.bulkWrite(
      [...byCustomer].map(([customerId, entries]) => ({
        updateOne: { filter: { _id: customerId }, update: { $pullAll: { splitOutbox: entries } } },
      })),
      ORDERED,
    );
  }

  async markMovesAnnounced(partIds: readonly string[]): Promise<void> {
    if (partIds.length === 0) return;
    await this.db.customers.updateMany({ _id: { $in: [...partIds] } }, { $set: { moveAnnounced: true } });
  }

  async markAnnounced(mergedIds: readonly string[]): Promise<void> {
    if (mergedIds.length === 0) return;
    await this.db.customers.updateMany({ _id: { $in: [...mergedIds] } }, { $set: { mergeAnnounced: true } });
  }

  /** Current identifiers and merged ids of customers, for snapshots and the lookup cache. */
  async snapshotsOf(customerIds: readonly string[]): Promise<Map<string, CustomerSnapshot>> {
    const result = new Map<string, CustomerSnapshot>(customerIds.map((id) => [id, { identifiers: [], mergedIds: [] }]));
    if (customerIds.length === 0) return result;
    const [identifiers, customers] = await Promise.all([
      this.db.identifiers
        .find(
          { customerId: { $in: [...customerIds] }, retired: { $ne: true } },
          { projection: { type: 1, value: 1, customerId: 1 }, ...ONE_REPLY },
        )
        .toArray(),
      this.db.customers.find({ _id: { $in: [...customerIds] } }, { projection: { mergedIds: 1 }, ...ONE_REPLY }).toArray(),
    ]);
    for (const d of identifiers) {
      const entry = result.get(d.customerId);
      if (entry !== undefined && !entry.identifiers.some((i) => i.type === d.type && i.value === d.value))
        entry.identifiers.push({ type: d.type, value: d.value });
    }
    for (const c of customers) {
      const entry = result.get(c._id);
      if (entry !== undefined) entry.mergedIds = c.mergedIds ?? [];
    }
    for (const entry of result.values()) entry.identifiers.sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
    return result;
  }

  /** The identifiers (not retired) each customer holds now. */
  async heldIdentifiers(customerIds: readonly string[]): Promise<Map<string, TypedIdentifier[]>> {
    const snapshots = await this.snapshotsOf(customerIds);
    return new Map([...snapshots].map(([id, snapshot]) => [id, snapshot.identifiers]));
  }

  /** Current customer of an id, following merges; undefined when unknown. */
  async currentCustomer(id: string): Promise<CustomerDocument | undefined> {
    return currentIn(await this.customersFollowingMerges([id]), id);
  }

  /** Identifier documents with the given type and value (several for a non-unique type). */
  async identifierDocuments(type: string, value: string, unique: boolean): Promise<IdentifierDocument[]> {
    // A unique identifier is found by _id, which FerretDB answers from its primary key.
    return this.db.identifiers.find(unique ? { _id: `${type}:${value}` } : { type, value }).toArray();
  }

  async identifiersWithEvidence(customerId: string): Promise<IdentifierDocument[]> {
    return this.db.identifiers.find({ customerId }).sort({ firstSeenAt: 1, _id: 1 }).toArray();
  }

  async customersMergedInto(customerId: string): Promise<CustomerDocument[]> {
    return this.db.customers.find({ mergedInto: customerId }).sort({ _id: 1 }).toArray();
  }

  /**
   * Undoes merges into a customer: each detached part gets back the identifiers that came from it
   * (origin in its subtree), loses its mergedInto, and both sides remember the split so that the
   * same evidence does not merge them again without a person.
   */
  detach(customer: CustomerDocument, parts: readonly DetachedPart[], split: SplitOutboxEntry): Promise<void> {
    return this.serializer.run(() => this.detachNow(customer, parts, split));
  }

  private async detachNow(customer: CustomerDocument, parts: readonly DetachedPart[], split: SplitOutboxEntry): Promise<void> {
    const at = new Date(split.at);
    const reason = split.reason;
    await chunkedBulkWrite(
      this.db.identifiers,
      parts.map((part) => ({
        updateMany: {
          filter: { customerId: customer._id, originCustomerId: { $in: [...part.subtree] } },
          update: { $set: { customerId: part.id } },
        },
      })),
      ORDERED,
    );
    const detachedIds = parts.map((p) => p.id);
    const leaving = new Set(parts.flatMap((p) => [...p.members, ...p.subtree]));
    const operations: Array<mongo.AnyBulkWriteOperation<CustomerDocument>> = parts.map((part) => ({
      updateOne: {
        filter: { _id: part.id, mergedInto: customer._id },
        update: {
          $unset: { mergedInto: '', mergeAnnounced: '', merge: '' },
          $addToSet: { separatedFrom: customer._id },
          $push: { history: this.history.push({ kind: 'split' as const, at, reason, customerIds: [customer._id, part.id] }) },
        },
      },
    }));
    operations.push({
      updateOne: {
        filter: { _id: customer._id },
        update: {
          $set: {
            mergedIds: (customer.mergedIds ?? []).filter((id) => !detachedIds.includes(id)),
            members: (customer.members ?? [customer._id]).filter((id) => id === customer._id || !leaving.has(id)),
            separatedFrom: [...new Set([...(customer.separatedFrom ?? []), ...detachedIds])],
          },
          // The split's event goes into the outbox in the write that completes the split.
          $push: {
            history: this.history.push({ kind: 'split' as const, at, reason, customerIds: [customer._id, ...detachedIds] }),
            splitOutbox: split,
          },
        },
      },
    });
    await chunkedBulkWrite(this.db.customers, operations, ORDERED);
    await this.history.trim([customer._id, ...parts.map((p) => p.id)]);
  }

  /** Customers not merged into another, in _id order after `after`: the id migration's pages. */
  async standingCustomers(after: string, limit: number): Promise<CustomerDocument[]> {
    return this.db.customers
      .find({ _id: { $gt: after }, mergedInto: { $exists: false } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  /** The identifiers customers own now. */
  async identifiersOfCustomers(customerIds: readonly string[]): Promise<IdentifierDocument[]> {
    if (customerIds.length === 0) return [];
    return this.db.identifiers.find({ customerId: { $in: [...customerIds] } }).toArray();
  }

  /** Customers merged away by `rule` whose merge was not published yet (a crash between the write and the publish). */
  async unannouncedMergesBy(rule: string): Promise<PlannedMerge[]> {
    const docs = await this.db.customers.find({ mergeAnnounced: false, 'merge.link.rule': rule }).toArray();
    return docs.flatMap((d) => (d.merge && d.mergedInto !== undefined ? [plannedFromRecord(d._id, d.merge)] : []));
  }

  /**
   * Renames a customer (the id migration): the new id takes over its whole state, and the old id
   * becomes a merge into the new one, which every other service folds like any merge and by
   * which later events still carrying the old id find the new one. Rewritten consistently: the
   * customers merged into the old id now point to the new one (a split of the new id splits them
   * off as before), identifiers belong to the new id, and split memories naming the old id name
   * the new one too. Each step is safe to repeat; the old id is marked merged last, so a rename
   * interrupted half-way is found and finished by the next run.
   */
  renameCustomer(old: CustomerDocument, merge: PlannedMerge): Promise<void> {
    return this.serializer.run(() => this.renameCustomerNow(old, merge));
  }

  private async renameCustomerNow(old: CustomerDocument, merge: PlannedMerge): Promise<void> {
    const newId = merge.survivorId;
    const at = new Date(merge.link.at);
    const renamed: CustomerDocument = {
      _id: newId,
      createdAt: old.createdAt,
      mergedIds: old.mergedIds ?? [],
      // The same cluster under another name: its size does not change.
      members: [newId, ...(old.members ?? [old._id]).filter((m) => m !== old._id)],
      separatedFrom: old.separatedFrom ?? [],
      history: this.history.bounded(newId, [
        ...(old.history ?? []),
        { kind: 'merged', at, reason: merge.reason, customerIds: [newId, old._id] },
      ]),
      ...(old.related !== undefined ? { related: old.related } : {}),
    };
    await insertDocuments(this.db.customers, await missingOf(this.db.customers, [renamed]));
    await this.db.customers.updateMany({ mergedInto: old._id }, { $set: { mergedInto: newId, 'merge.survivorId': newId } });
    await this.db.identifiers.updateMany({ customerId: old._id }, { $set: { customerId: newId } });
    await this.db.customers.updateMany({ separatedFrom: old._id }, { $addToSet: { separatedFrom: newId } });
    const record: MergeRecord = { survivorId: newId, reason: merge.reason, evidence: [], link: merge.link, at };
    await this.db.customers.updateOne(
      { _id: old._id, mergedInto: { $exists: false } },
      { $set: { mergedInto: newId, mergeAnnounced: false, merge: record } },
    );
  }

  /** Joins two customers a person (a reviewer, an operator) declared one person; the split memory between them is dropped. */
  async recordManualMerge(survivorId: string, mergedId: string, reason: string, kind: ManualMergeKind): Promise<void> {
    const survivor = await this.db.customers.findOne({ _id: survivorId });
    if (survivor === null) return;
    await this.db.customers.updateOne(
      { _id: survivorId },
      {
        $set: { separatedFrom: (survivor.separatedFrom ?? []).filter((id) => id !== mergedId) },
        $push: {
          history: this.history.push({ kind, at: new Date(), reason, customerIds: [survivorId, mergedId] }),
        },
      },
    );
    await this.history.trim([survivorId]);
  }
}
