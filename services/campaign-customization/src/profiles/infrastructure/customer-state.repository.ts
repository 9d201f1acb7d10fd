import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { AttributionState, GroupCounts } from '../../lift/domain';
import { chunkedBulkWrite, isDuplicateKeyError, nativeCollection, ONE_REPLY } from '@o2o/mongo';
import type { CustomerState, OutboxEntry } from '../domain/customer-state';
import type { CustomerStates, StateWrite, StoredState } from '../application/ports';
import { fromDocument, liftKeysOf, toDocument, type CustomerDocument } from './customer-state.document';

/** The combined projection: one document per customer (profile, memberships, outbox, attribution). */
@Injectable()
export class CustomerStateRepository implements CustomerStates, OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('CustomerStateRepository');

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get customers(): mongo.Collection<CustomerDocument> {
    return nativeCollection<CustomerDocument>(this.connection, 'customers');
  }

  async onModuleInit(): Promise<void> {
    await this.customers.createIndex({ updatedAt: 1 });
    await this.customers.createIndex({ liftKeys: 1 });
  }

  /** Back-fills lift keys of documents written before them, in the background (every instance may; it is idempotent). */
  onApplicationBootstrap(): void {
    this.backfillLiftKeys().catch((error: unknown) =>
      this.logger.warn(`lift keys not back-filled yet (the next start retries): ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /**
   * Sets lift keys on documents without them, page by page, each conditional on the version read:
   * a customer written meanwhile got its keys from that write. Returns how many were set.
   */
  async backfillLiftKeys(pageSize = 500): Promise<number> {
    let done = 0;
    let after = '';
    for (;;) {
      const page = await this.customers
        .find({ liftKeys: { $exists: false }, _id: { $gt: after } }, { projection: { _id: 1, version: 1, attribution: 1, mergedInto: 1 } })
        .sort({ _id: 1 })
        .limit(pageSize)
        .toArray();
      if (page.length === 0) return done;
      const result = await chunkedBulkWrite(
        this.customers,
        page.map((d) => ({
          updateOne: {
            filter: { _id: d._id, version: d.version, liftKeys: { $exists: false } },
            update: { $set: { liftKeys: liftKeysOf(d.attribution ?? {}, d.mergedInto) } },
          },
        })),
        { serialize: true },
      );
      done += result.modifiedCount;
      after = page[page.length - 1]?._id ?? after;
    }
  }

  async find(customerIds: readonly string[]): Promise<Map<string, StoredState>> {
    const found = new Map<string, StoredState>();
    if (customerIds.length === 0) return found;
    const documents = await this.customers.find({ _id: { $in: [...customerIds] } }, ONE_REPLY).toArray();
    for (const document of documents)
      found.set(document._id, { state: fromDocument(document), version: document.version ?? 0, exists: true });
    return found;
  }

  async findOne(customerId: string): Promise<StoredState | undefined> {
    const document = await this.customers.findOne({ _id: customerId });
    return document ? { state: fromDocument(document), version: document.version ?? 0, exists: true } : undefined;
  }

  /**
   * Writes changed customers in one bulk write (per chunk): a customer read at a version is
   * replaced only if still at that version, a customer that had no document is inserted. Returns
   * how many writes landed; fewer than asked means another instance wrote (or created) one of
   * them in between, and the caller re-reads and redoes, which applied-event ids make safe. An
   * insert racing another instance's fails with E11000, which ends FerretDB's bulk write early:
   * that too is reported as a conflict (the redo re-reads whatever did land).
   */
  async write(writes: readonly StateWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const now = new Date();
    try {
      const result = await chunkedBulkWrite(
        this.customers,
        writes.map((w): mongo.AnyBulkWriteOperation<CustomerDocument> => {
          const document = toDocument(w.state, w.version + 1, now);
          if (!w.exists) return { insertOne: { document } };
          const { _id, ...replacement } = document;
          return { replaceOne: { filter: { _id, version: w.version }, replacement } };
        }),
        { serialize: true },
      );
      return result.matchedCount + result.insertedCount;
    } catch (error) {
      if (isDuplicateKeyError(error)) return -1;
      throw error;
    }
  }

  /**
   * Removes published changes from outboxes once Kafka has them: exactly those entries
   * ($pullAll), so changes a concurrent writer queued meanwhile stay, and without bumping the
   * version, so the clear neither makes a concurrent writer redo nor moves the version the
   * next-action snapshots are checked against. A writer that read the entries before they were
   * removed writes them back and publishes them again, with the same ids, which consumers drop.
   */
  async clearOutboxes(cleared: ReadonlyArray<{ customerId: string; entries: readonly OutboxEntry[] }>): Promise<void> {
    const operations = cleared
      .filter((c) => c.entries.length > 0)
      .map((c) => ({
        // As stored: the JSON form toDocument wrote (equality is by value and field order).
        updateOne: {
          filter: { _id: c.customerId },
          update: { $pullAll: { outbox: JSON.parse(JSON.stringify(c.entries)) as OutboxEntry[] } },
        },
      }));
    if (operations.length === 0) return;
    await chunkedBulkWrite(this.customers, operations, { serialize: true });
  }

  /** A page of customer ids in _id order, for back-fills. */
  async page(afterId: string, limit: number): Promise<Array<{ customerId: string; merged: boolean }>> {
    const documents = await this.customers
      .find({ _id: { $gt: afterId } }, { projection: { _id: 1, mergedInto: 1 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return documents.map((d) => ({ customerId: d._id, merged: d.mergedInto !== undefined && d.mergedInto !== null }));
  }

  /** A page of live customers' states in _id order (merged-away ids skipped), for reports that read every customer. */
  async statesPage(afterId: string, limit: number): Promise<{ states: CustomerState[]; last?: string }> {
    const documents = await this.customers
      .find({ _id: { $gt: afterId } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    const last = documents[documents.length - 1]?._id;
    const states = documents.filter((d) => d.mergedInto === undefined || d.mergedInto === null).map(fromDocument);
    return last === undefined ? { states } : { states, last };
  }

  async countCustomers(): Promise<number> {
    return this.customers.countDocuments({ mergedInto: { $exists: false } });
  }

  /** Customers whose outbox was left unpublished (a crash between write and publish). */
  async withStaleOutbox(olderThan: Date, limit: number): Promise<string[]> {
    const documents = await this.customers
      .find({ 'outbox.0': { $exists: true }, updatedAt: { $lt: olderThan } }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    return documents.map((d) => d._id);
  }

  /** Customers exposed to the campaign per group, and how many converted (merged-away ids excluded). */
  async attributionCounts(campaignId: string): Promise<{ treated: GroupCounts; control: GroupCounts }> {
    const path = `attribution.${campaignId}`;
    // The indexed count, plus documents not back-filled yet (none once the back-fill has run).
    const count = async (group: 'treated' | 'control', converted: boolean) => {
      const [indexed, legacy] = await Promise.all([
        this.customers.countDocuments({ liftKeys: `${campaignId}:${group}${converted ? ':converted' : ''}` }),
        this.customers.countDocuments({
          liftKeys: { $exists: false },
          [`${path}.group`]: group,
          ...(converted ? { [`${path}.converted`]: true } : {}),
          mergedInto: { $exists: false },
        }),
      ]);
      return indexed + legacy;
    };
    const [te, tc, ce, cc] = await Promise.all([
      count('treated', false),
      count('treated', true),
      count('control', false),
      count('control', true),
    ]);
    return { treated: { exposed: te, converted: tc }, control: { exposed: ce, converted: cc } };
  }

  /** The campaign's exposed customers' standing (revenue and activity for the revenue and retention lifts); one indexed read. */
  async attributionStates(campaignId: string): Promise<AttributionState[]> {
    const documents = await this.customers
      .find(
        { liftKeys: { $in: [`${campaignId}:treated`, `${campaignId}:control`] } },
        { projection: { [`attribution.${campaignId}`]: 1 }, ...ONE_REPLY },
      )
      .toArray();
    return documents.flatMap((d) => {
      const held = (d as { attribution?: Record<string, AttributionState & { converted?: boolean }> }).attribution?.[campaignId];
      if (held === undefined) return [];
      const { converted: _converted, ...state } = held;
      return [state];
    });
  }
}
