import { Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { TypedIdentifier } from '../../matching/domain';
import { BatchLookups, GraphState, ResolutionPlan } from '../domain/batch-resolver';
import { GraphCustomer, GraphIdentifier, identifierDocumentId, PlannedMerge, StoredTermFrequencies, StoredTraitRecord } from '../domain/identity-graph.model';
import { CustomerDocument, IdentifierDocument, IdentityCollections, MergeRecord } from './identity-graph.collections';

export interface LoadedBatch {
  readonly state: GraphState;
  readonly termFrequencies: StoredTermFrequencies;
  /** Merges stored earlier but not yet published (a crash between write and publish). */
  readonly unannounced: PlannedMerge[];
}

const MAX_MERGE_HOPS = 10;

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
  return { survivorId: merge.survivorId, mergedId, reason: merge.reason, evidence: merge.evidence, link: merge.link, members: [], separatedFrom: [] };
}

/**
 * The identity graph in the service's own database. Every write is safe to replay and never
 * relies on E11000 inside a bulk write (FerretDB v1 stops an unordered bulk write at its first
 * error): documents are created by _id with $setOnInsert, everything else is a conditional
 * update without upsert.
 */
@Injectable()
export class IdentityGraphRepository {
  constructor(private readonly db: IdentityCollections) {}

  /** Everything one batch needs, in a handful of reads whatever the batch size. */
  async loadBatch(lookups: BatchLookups, maxBlockSize: number): Promise<LoadedBatch> {
    const [owners, postings, terms] = await Promise.all([
      lookups.identifierIds.length > 0 ? this.db.identifiers.find({ _id: { $in: lookups.identifierIds } }).toArray() : Promise.resolve([]),
      lookups.blockingKeys.length > 0 ? this.db.blockingIndex.find({ _id: { $in: lookups.blockingKeys } }).toArray() : Promise.resolve([]),
      lookups.termKeys.length > 0 ? this.db.termFrequencies.find({ _id: { $in: [...lookups.termKeys, 'total:firstName', 'total:lastName'] } }).toArray() : Promise.resolve([]),
    ]);
    const postingMap = new Map(postings.map((p) => [p._id, [...p.ids]]));
    const recordIds = [...new Set(postings.filter((p) => p.ids.length <= maxBlockSize).flatMap((p) => p.ids))];
    const recordDocs = recordIds.length > 0 ? await this.db.traitRecords.find({ _id: { $in: recordIds } }).toArray() : [];
    const records = new Map<string, StoredTraitRecord>(recordDocs.map((r) => [r._id, { record: r.record, customerId: r.customerId }]));

    const customers = await this.customersFollowingMerges([...owners.map((o) => o.customerId), ...recordDocs.map((r) => r.customerId)]);
    const customerIds = [...customers.keys()];
    const identifierDocs = customerIds.length > 0 ? await this.db.identifiers.find({ customerId: { $in: customerIds } }, { projection: { type: 1, value: 1, customerId: 1, originCustomerId: 1 } }).toArray() : [];

    const ownerMap = new Map<string, GraphIdentifier>(owners.map((o) => [o._id, { type: o.type, value: o.value, customerId: o.customerId, originCustomerId: o.originCustomerId ?? o.customerId }]));
    const state = new GraphState(
      ownerMap,
      new Map([...customers.values()].map((c) => [c._id, toGraphCustomer(c)])),
      identifierDocs.map((d) => ({ type: d.type, value: d.value, customerId: d.customerId, originCustomerId: d.originCustomerId ?? d.customerId })),
      records,
      postingMap,
    );
    const counts = new Map<string, number>();
    const totals = new Map<string, number>();
    for (const term of terms) {
      if (term._id.startsWith('total:')) totals.set(term._id.slice('total:'.length), term.count);
      else counts.set(term._id, term.count);
    }
    const unannounced = [...customers.values()].filter((c) => c.mergedInto !== undefined && c.mergeAnnounced === false && c.merge !== undefined).flatMap((c) => (c.merge ? [plannedFromRecord(c._id, c.merge)] : []));
    return { state, termFrequencies: new StoredTermFrequencies(counts, totals), unannounced };
  }

  /** Customers by id, with every customer they were merged into. */
  async customersFollowingMerges(ids: readonly string[]): Promise<Map<string, CustomerDocument>> {
    const found = new Map<string, CustomerDocument>();
    let pending = [...new Set(ids)];
    for (let hop = 0; hop < MAX_MERGE_HOPS && pending.length > 0; hop += 1) {
      const docs = await this.db.customers.find({ _id: { $in: pending } }).toArray();
      for (const doc of docs) found.set(doc._id, doc);
      pending = [...new Set(docs.map((d) => d.mergedInto).filter((m): m is string => m !== undefined && !found.has(m)))];
    }
    return found;
  }

  /** Writes a plan: creations by _id first, then conditional updates; replays change nothing twice. */
  async write(plan: ResolutionPlan): Promise<void> {
    const now = new Date();
    if (plan.newCustomers.length > 0) {
      await this.db.customers.bulkWrite(
        plan.newCustomers.map((c) => ({
          updateOne: {
            filter: { _id: c.id },
            update: { $setOnInsert: { createdAt: new Date(c.createdAt), mergedIds: [], members: [c.id], separatedFrom: [], history: [] } },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    if (plan.newIdentifiers.length > 0) {
      await this.db.identifiers.bulkWrite(
        plan.newIdentifiers.map((n) => ({
          updateOne: {
            filter: { _id: identifierDocumentId(n, n.unique, n.originCustomerId) },
            update: {
              $setOnInsert: {
                type: n.type,
                value: n.value,
                unique: n.unique,
                customerId: n.customerId,
                originCustomerId: n.originCustomerId,
                firstSeenAt: new Date(n.evidence.at),
                evidence: n.evidence,
              },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
    await this.applyMerges(plan.merges);
    if (plan.memberLinks.length > 0) {
      await this.db.customers.bulkWrite(
        plan.memberLinks.map((m) => ({ updateOne: { filter: { _id: m.customerId }, update: { $addToSet: { members: m.member } } } })),
        { ordered: true },
      );
    }
    await this.writeRecords(plan);
    if (plan.reviews.length > 0) {
      await this.db.reviewQueue.bulkWrite(
        plan.reviews.map((r) => ({
          updateOne: {
            filter: { _id: r.id },
            update: {
              $setOnInsert: {
                kind: r.kind,
                status: 'pending' as const,
                customerIds: [r.customerIds[0], r.customerIds[1]] as [string, string],
                reason: r.reason,
                ...(r.score !== undefined ? { score: r.score } : {}),
                evidence: r.evidence.map(({ type, value }) => ({ type, value })),
                eventId: r.eventId,
                at: new Date(r.at),
                createdAt: now,
              },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    }
  }

  /**
   * Folds merged customers into survivors: the merged customer's conditional update only applies
   * once (mergedInto absent), the survivor's $addToSet is idempotent, identifiers follow.
   */
  async applyMerges(merges: readonly PlannedMerge[]): Promise<void> {
    if (merges.length === 0) return;
    const customerOps: Array<mongo.AnyBulkWriteOperation<CustomerDocument>> = [];
    for (const m of merges) {
      const record: MergeRecord = { survivorId: m.survivorId, reason: m.reason, evidence: m.evidence.map(({ type, value }) => ({ type, value })), link: m.link, at: new Date(m.link.at) };
      customerOps.push({ updateOne: { filter: { _id: m.mergedId, mergedInto: { $exists: false } }, update: { $set: { mergedInto: m.survivorId, mergeAnnounced: false, merge: record } } } });
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
    await this.db.customers.bulkWrite(customerOps, { ordered: true });
    await this.db.identifiers.bulkWrite(
      merges.map((m) => ({ updateMany: { filter: { customerId: m.mergedId }, update: { $set: { customerId: m.survivorId } } } })),
      { ordered: true },
    );
  }

  private async writeRecords(plan: ResolutionPlan): Promise<void> {
    if (plan.newRecords.length === 0) return;
    const now = new Date();
    const inserted = await this.db.traitRecords.bulkWrite(
      plan.newRecords.map((r) => ({ updateOne: { filter: { _id: r.id }, update: { $setOnInsert: { customerId: r.customerId, record: r.record, createdAt: now } }, upsert: true } })),
      { ordered: true },
    );
    const postings = new Map<string, string[]>();
    for (const record of plan.newRecords) for (const key of record.keys) postings.set(key, [...(postings.get(key) ?? []), record.id]);
    await this.db.blockingIndex.bulkWrite(
      [...postings.entries()].map(([key, ids]) => ({ updateOne: { filter: { _id: key }, update: { $addToSet: { ids: { $each: ids } } }, upsert: true } })),
      { ordered: true },
    );
    // Term counts grow only for records this write created, so a replayed batch counts nothing twice.
    const terms = new Map<string, number>();
    const add = (key: string): void => {
      terms.set(key, (terms.get(key) ?? 0) + 1);
    };
    Object.keys(inserted.upsertedIds).forEach((index) => {
      const record = plan.newRecords[Number(index)]?.record;
      if (record === undefined) return;
      if (record.firstName !== undefined) {
        add(`firstName:${record.firstName}`);
        add('total:firstName');
      }
      if (record.lastName !== undefined) {
        add(`lastName:${record.lastName}`);
        add('total:lastName');
      }
    });
    if (terms.size > 0) {
      await this.db.termFrequencies.bulkWrite(
        [...terms.entries()].map(([key, count]) => ({ updateOne: { filter: { _id: key }, update: { $inc: { count } }, upsert: true } })),
        { ordered: true },
      );
    }
  }

  async ownersOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.db.identifiers.find({ _id: { $in: [...ids] } }, { projection: { customerId: 1 } }).toArray();
    return new Map(docs.map((d) => [d._id, d.customerId]));
  }

  async postingsOf(keys: readonly string[]): Promise<Map<string, string[]>> {
    if (keys.length === 0) return new Map();
    const docs = await this.db.blockingIndex.find({ _id: { $in: [...keys] } }).toArray();
    return new Map(docs.map((d) => [d._id, d.ids]));
  }

  async markAnnounced(mergedIds: readonly string[]): Promise<void> {
    if (mergedIds.length === 0) return;
    await this.db.customers.updateMany({ _id: { $in: [...mergedIds] } }, { $set: { mergeAnnounced: true } });
  }

  /** Current identifiers and merged ids of customers, for snapshots and the lookup cache. */
  async snapshotsOf(customerIds: readonly string[]): Promise<Map<string, { identifiers: TypedIdentifier[]; mergedIds: string[] }>> {
    const result = new Map<string, { identifiers: TypedIdentifier[]; mergedIds: string[] }>(customerIds.map((id) => [id, { identifiers: [], mergedIds: [] }]));
    if (customerIds.length === 0) return result;
    const [identifiers, customers] = await Promise.all([
      this.db.identifiers.find({ customerId: { $in: [...customerIds] } }, { projection: { type: 1, value: 1, customerId: 1 } }).toArray(),
      this.db.customers.find({ _id: { $in: [...customerIds] } }, { projection: { mergedIds: 1 } }).toArray(),
    ]);
    for (const d of identifiers) {
      const entry = result.get(d.customerId);
      if (entry !== undefined && !entry.identifiers.some((i) => i.type === d.type && i.value === d.value)) entry.identifiers.push({ type: d.type, value: d.value });
    }
    for (const c of customers) {
      const entry = result.get(c._id);
      if (entry !== undefined) entry.mergedIds = c.mergedIds ?? [];
    }
    for (const entry of result.values()) entry.identifiers.sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
    return result;
  }

  /** Current customer of an id, following merges; undefined when unknown. */
  async currentCustomer(id: string): Promise<CustomerDocument | undefined> {
    const chain = await this.customersFollowingMerges([id]);
    let cursor = chain.get(id);
    for (let hop = 0; cursor?.mergedInto !== undefined && hop < MAX_MERGE_HOPS; hop += 1) cursor = chain.get(cursor.mergedInto);
    return cursor;
  }

  /** Identifier documents with the given type and value (several for a non-unique type). */
  async identifierDocuments(type: string, value: string): Promise<IdentifierDocument[]> {
    return this.db.identifiers.find({ type, value }).toArray();
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
  async detach(customer: CustomerDocument, parts: ReadonlyArray<{ id: string; subtree: readonly string[]; members: readonly string[] }>, reason: string): Promise<void> {
    const at = new Date();
    await this.db.identifiers.bulkWrite(
      parts.map((part) => ({ updateMany: { filter: { customerId: customer._id, originCustomerId: { $in: [...part.subtree] } }, update: { $set: { customerId: part.id } } } })),
      { ordered: true },
    );
    const detachedIds = parts.map((p) => p.id);
    const leaving = new Set(parts.flatMap((p) => [...p.members, ...p.subtree]));
    const operations: Array<mongo.AnyBulkWriteOperation<CustomerDocument>> = parts.map((part) => ({
      updateOne: {
        filter: { _id: part.id, mergedInto: customer._id },
        update: {
          $unset: { mergedInto: '', mergeAnnounced: '', merge: '' },
          $addToSet: { separatedFrom: customer._id },
          $push: { history: { kind: 'split' as const, at, reason, customerIds: [customer._id, part.id] } },
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
          $push: { history: { kind: 'split' as const, at, reason, customerIds: [customer._id, ...detachedIds] } },
        },
      },
    });
    await this.db.customers.bulkWrite(operations, { ordered: true });
  }

  /** Joins two customers a reviewer declared one person; the split memory between them is dropped. */
  async recordReviewMerge(survivorId: string, mergedId: string, reason: string): Promise<void> {
    const survivor = await this.db.customers.findOne({ _id: survivorId });
    if (survivor === null) return;
    await this.db.customers.updateOne(
      { _id: survivorId },
      {
        $set: { separatedFrom: (survivor.separatedFrom ?? []).filter((id) => id !== mergedId) },
        $push: { history: { kind: 'review-accepted' as const, at: new Date(), reason, customerIds: [survivorId, mergedId] } },
      },
    );
  }
}
