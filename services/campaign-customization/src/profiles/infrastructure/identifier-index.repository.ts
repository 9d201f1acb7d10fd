import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { IdentifierV1 } from '@o2o/contracts';
import { chunkedBulkWrite, isDuplicateKeyError, nativeCollection } from '@o2o/mongo';

interface IdentifierDocument {
  /** "type:value" of the normalised identifier. */
  _id: string;
  /** Owner: the customer whose snapshot last claimed the identifier ('' once that customer is erased). */
  customerId: string;
  /** Time of the identity snapshot that set the owner; an older snapshot never takes it back. */
  updatedAt: Date;
  /** Every customer whose current snapshot holds the identifier: more than one means it is shared. */
  holders?: string[];
}

/** The other side of `holders`: what one customer holds, so a batch finds it by primary key. */
interface HoldingDocument {
  /** The customer id. */
  _id: string;
  /** Identifier keys of the customer's latest applied snapshot, sorted. */
  keys: string[];
  /** Time of the snapshot that last changed `keys`; an older one is not applied. */
  at: Date;
  /** Bumped on every write: the compare-and-set that orders two writers of one customer. */
  version: number;
}

interface MigrationDocument {
  _id: string;
  at: Date;
}

/** One customer's change of holdings in a batch. */
interface HoldingChange {
  customerId: string;
  keys: string[];
  at: Date;
  added: string[];
  removed: string[];
  /** Version read; undefined when the customer had no holdings document. */
  version: number | undefined;
}

/** Counts of one erasure, by collection. */
export interface IdentifierErasure {
  identifiers: number;
  holdings: number;
}

const HOLDINGS_MIGRATION = 'identifier-holdings-v1';
const MAX_ATTEMPTS = 5;
const EPOCH = new Date(0);

export function identifierKey(identifier: IdentifierV1): string {
  return `${identifier.type}:${identifier.value}`;
}

/**
 * Identifier -> customer, built from the identity snapshots this service consumes, so the
 * next-action lookup never asks identity resolution (nor reads its database).
 *
 * Two collections, each addressed by `_id` on every hot path (FerretDB v1 pushes down only
 * top-level equality on strings, and a condition on an array field keeps every document whose
 * field is an array: `{holders: {$in}}` was a full scan):
 * - `identifiers`: one document per identifier, its owner and its holders (what a lookup reads);
 * - `identifier_holdings`: one document per customer, the identifier keys it holds (what a batch
 *   reads to know what changed).
 * `identifiers` is written first and `identifier_holdings` last, so a crash in between leaves
 * the holdings as they were and the redelivered batch recomputes, and redoes, the same set
 * operations. See docs/architecture.md ("identifier index").
 */
@Injectable()
export class IdentifierIndexRepository implements OnModuleInit {
  private readonly logger = new Logger(IdentifierIndexRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get identifiers(): mongo.Collection<IdentifierDocument> {
    return nativeCollection<IdentifierDocument>(this.connection, 'identifiers');
  }

  private get holdings(): mongo.Collection<HoldingDocument> {
    return nativeCollection<HoldingDocument>(this.connection, 'identifier_holdings');
  }

  private get migrations(): mongo.Collection<MigrationDocument> {
    return nativeCollection<MigrationDocument>(this.connection, 'migrations');
  }

  /** Awaited before the consumers start (Nest runs it in app.init()): a batch must find every customer's holdings. */
  async onModuleInit(): Promise<void> {
    await this.identifiers.createIndex({ customerId: 1 });
    await this.migrateHoldings();
  }

  /**
   * The one-time step from the layout that kept only `holders`: one document per holder with the
   * keys it holds, then the `holders` index (no longer queried, so only a cost on every write)
   * is dropped, then a marker. Idempotent: an interrupted run is redone at the next start, and
   * `$setOnInsert` keeps any document already written. Instances of the previous version must
   * be stopped first: their writes would not reach the holdings documents.
   * @returns the number of holdings documents created (0 once migrated).
   */
  async migrateHoldings(): Promise<number> {
    if ((await this.migrations.findOne({ _id: HOLDINGS_MIGRATION })) !== null) return 0;
    const held = new Map<string, string[]>();
    // A full scan, once.
    for await (const d of this.identifiers.find({}, { projection: { holders: 1 } })) {
      for (const c of new Set(d.holders ?? [])) {
        const keys = held.get(c);
        if (keys === undefined) held.set(c, [d._id]);
        else keys.push(d._id);
      }
    }
    const { upsertedCount } = await chunkedBulkWrite(
      this.holdings,
      [...held].map(([customerId, keys]) => ({
        updateOne: { filter: { _id: customerId }, update: { $setOnInsert: { keys: keys.sort(), at: EPOCH, version: 0 } }, upsert: true },
      })),
      { serialize: true },
    );
    await this.identifiers.dropIndex('holders_1').catch(() => undefined);
    await this.migrations.updateOne({ _id: HOLDINGS_MIGRATION }, { $setOnInsert: { at: new Date() } }, { upsert: true });
    if (held.size > 0) this.logger.log(`identifier holdings migrated: ${held.size} customers, ${upsertedCount} documents created`);
    return upsertedCount;
  }

  /**
   * Holders follow each customer's latest snapshot; the owner of an identifier is the customer
   * whose snapshot claimed it last. One read (the batch's customers' holdings, by `_id`), then
   * only what changed: one ordered bulk write on `identifiers` (holders added, owners claimed,
   * holders removed), one on `identifier_holdings`. A snapshot that lists what its customer
   * already holds (most snapshots: identity resolution publishes one for every event of a known
   * customer) writes nothing.
   *
   * An identifier claims its owner only when it is new to the claiming customer, so the owner's
   * time is that of the snapshot that gave it the identifier: a later snapshot of another
   * customer that also lists it takes the owner field and keeps it. Lookups answer from the
   * holders; the owner answers only for entries written before holders were kept.
   */
  async assign(snapshots: ReadonlyArray<{ customerId: string; identifiers: IdentifierV1[]; updatedAt: string }>): Promise<void> {
    const owners = new Map<string, { customerId: string; updatedAt: Date }>();
    // Holders follow each customer's latest snapshot in the batch.
    const latest = new Map<string, { keys: Set<string>; at: Date }>();
    for (const s of snapshots) {
      const updatedAt = new Date(s.updatedAt);
      const keys = new Set<string>();
      for (const identifier of s.identifiers) {
        const key = identifierKey(identifier);
        keys.add(key);
        const held = owners.get(key);
        if (held === undefined || held.updatedAt <= updatedAt) owners.set(key, { customerId: s.customerId, updatedAt });
      }
      const previous = latest.get(s.customerId);
      if (previous === undefined || previous.at <= updatedAt) latest.set(s.customerId, { keys, at: updatedAt });
    }
    if (latest.size === 0) return;
    const stored = new Map(
      (await this.holdings.find({ _id: { $in: [...latest.keys()] } }, { batchSize: latest.size + 1 }).toArray()).map((d) => [d._id, d]),
    );
    let changes = plan(latest, stored);
    /** Keys written for each customer, in every attempt: what a newer writer may need set back. */
    const touched = new Map<string, Set<string>>();
    for (let attempt = 1; changes.length > 0; attempt += 1) {
      for (const c of changes) touched.set(c.customerId, new Set([...(touched.get(c.customerId) ?? []), ...c.added, ...c.removed]));
      await this.writeIdentifiers(changes, owners);
      if (await this.writeHoldings(changes)) return;
      if (attempt === MAX_ATTEMPTS)
        throw new Error(`identifier holdings: still contended after ${attempt} attempts (the batch is retried)`);
      changes = await this.afterContention(changes, latest, touched);
    }
  }

  /**
   * Another writer changed some of these customers' holdings between the read and the write
   * (two instances on one partition during a consumer-group rebalance). Where it applied a newer
   * snapshot, it wins: every identifier this writer touched is set back to what its holdings say
   * (this writer may have undone part of its holders). Where it applied an older one, this
   * snapshot is planned again from what it wrote, and written again.
   */
  private async afterContention(
    changes: readonly HoldingChange[],
    latest: ReadonlyMap<string, { keys: ReadonlySet<string>; at: Date }>,
    touched: ReadonlyMap<string, ReadonlySet<string>>,
  ): Promise<HoldingChange[]> {
    const now = new Map(
      (await this.holdings.find({ _id: { $in: changes.map((c) => c.customerId) } }, { batchSize: changes.length + 1 }).toArray()).map(
        (d) => [d._id, d],
      ),
    );
    const again = new Map<string, { keys: ReadonlySet<string>; at: Date }>();
    const fixes: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    for (const change of changes) {
      const current = now.get(change.customerId);
      if (current !== undefined && current.at.getTime() === change.at.getTime() && current.keys.join('\n') === change.keys.join('\n'))
        continue;
      if (current === undefined || current.at <= change.at) {
        const wanted = latest.get(change.customerId);
        if (wanted !== undefined) again.set(change.customerId, wanted);
        continue;
      }
      const holds = new Set(current.keys);
      for (const key of touched.get(change.customerId) ?? []) {
        fixes.push({
          updateOne: {
            filter: { _id: key },
            update: holds.has(key) ? { $addToSet: { holders: change.customerId } } : { $pull: { holders: change.customerId } },
          },
        });
      }
    }
    if (fixes.length > 0) {
      this.logger.warn(`identifier holdings: ${fixes.length} holder entries set back to a concurrent newer snapshot`);
      await chunkedBulkWrite(this.identifiers, fixes, { serialize: true, ordered: true });
    }
    return plan(again, now);
  }

  /**
   * Ordered: a new identifier's document exists (created ownerless) before its owner is claimed;
   * holders are added before others are removed, so a customer moving between identifiers is
   * for a moment listed on both (a lookup then answers "shared", never a customer that does not
   * hold it). Every statement is a set operation or a conditional $set: a redelivery redoes them
   * harmlessly, and batches of different customers sharing an identifier touch only their own
   * entry in `holders` (each update is atomic on its document).
   *
   * Most identifiers a batch adds are new to the index (new customers, new devices): one read of
   * the added keys (by `_id`) finds which, and each new one is inserted whole, its holders and
   * owner at once (one insert command for the batch, where the upsert and the claim were two
   * update statements each, in commands of 50). An identifier created by another writer between
   * the read and the insert (E11000) sends the whole list again as upserts and conditional
   * claims, which are what the inserts would have done.
   */
  private async writeIdentifiers(
    changes: readonly HoldingChange[],
    owners: ReadonlyMap<string, { customerId: string; updatedAt: Date }>,
  ): Promise<void> {
    /** Customers adding each key, in the order of the changes. */
    const adders = new Map<string, string[]>();
    for (const change of changes) for (const key of change.added) adders.set(key, [...(adders.get(key) ?? []), change.customerId]);
    const existing =
      adders.size === 0
        ? new Set<string>()
        : new Set(
            (
              await this.identifiers
                .find({ _id: { $in: [...adders.keys()] } }, { projection: { _id: 1 }, batchSize: adders.size + 1 })
                .toArray()
            ).map((d) => d._id),
          );
    try {
      await this.writeIdentifierStatements(changes, owners, existing);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      this.logger.debug('identifier created concurrently; writing the batch as upserts');
      await this.writeIdentifierStatements(changes, owners, new Set(adders.keys()));
    }
  }

  /** The statements of writeIdentifiers: keys not in `existing` inserted whole, the others upserted and claimed. */
  private async writeIdentifierStatements(
    changes: readonly HoldingChange[],
    owners: ReadonlyMap<string, { customerId: string; updatedAt: Date }>,
    existing: ReadonlySet<string>,
  ): Promise<void> {
    const inserts = new Map<string, IdentifierDocument>();
    const adds: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    const claims: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    const pulls: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    for (const change of changes) {
      for (const key of change.added) {
        const owner = owners.get(key);
        const claimed = owner?.customerId === change.customerId ? owner : undefined;
        if (!existing.has(key)) {
          const document = inserts.get(key) ?? { _id: key, customerId: '', updatedAt: EPOCH, holders: [] };
          document.holders = [...(document.holders ?? []), change.customerId];
          if (claimed !== undefined) Object.assign(document, { customerId: claimed.customerId, updatedAt: claimed.updatedAt });
          inserts.set(key, document);
          continue;
        }
        adds.push({
          updateOne: {
            filter: { _id: key },
            update: { $setOnInsert: { customerId: '', updatedAt: EPOCH }, $addToSet: { holders: change.customerId } },
            upsert: true,
          },
        });
        if (claimed !== undefined) {
          claims.push({
            updateOne: {
              filter: { _id: key, updatedAt: { $lte: claimed.updatedAt } },
              update: { $set: { customerId: claimed.customerId, updatedAt: claimed.updatedAt } },
            },
          });
        }
      }
      for (const key of change.removed)
        pulls.push({ updateOne: { filter: { _id: key }, update: { $pull: { holders: change.customerId } } } });
    }
    const created = [...inserts.values()].map((document): mongo.AnyBulkWriteOperation<IdentifierDocument> => ({ insertOne: { document } }));
    await chunkedBulkWrite(this.identifiers, [...created, ...adds, ...claims, ...pulls], { serialize: true, ordered: true });
  }

  /**
   * Compare-and-set on the version read; false when some customer's document had moved on.
   * Customers without holdings are inserted (one insert command for the batch): another
   * writer's insert of the same customer (E11000) is contention like a lost compare-and-set.
   */
  private async writeHoldings(changes: readonly HoldingChange[]): Promise<boolean> {
    const inserts = changes.filter((c) => c.version === undefined).length;
    try {
      const counts = await chunkedBulkWrite(
        this.holdings,
        changes.map((c): mongo.AnyBulkWriteOperation<HoldingDocument> =>
          c.version === undefined
            ? { insertOne: { document: { _id: c.customerId, keys: c.keys, at: c.at, version: 1 } } }
            : {
                updateOne: {
                  filter: { _id: c.customerId, version: c.version },
                  update: { $set: { keys: c.keys, at: c.at }, $inc: { version: 1 } },
                },
              },
        ),
        { serialize: true },
      );
      return counts.insertedCount === inserts && counts.matchedCount === changes.length - inserts;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Erasure: the customers leave the holders of every identifier they held or owned, lose the
   * owner field, identifiers nobody holds any more are deleted, then their holdings documents.
   * An identifier another customer still holds keeps leading to that customer.
   */
  async removeCustomer(customerIds: readonly string[]): Promise<IdentifierErasure> {
    if (customerIds.length === 0) return { identifiers: 0, holdings: 0 };
    const ids = [...customerIds];
    const [held, owned] = await Promise.all([
      this.holdings.find({ _id: { $in: ids } }).toArray(),
      this.identifiers.find({ customerId: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
    ]);
    const keys = [...new Set([...held.flatMap((d) => d.keys), ...owned.map((d) => d._id)])];
    let identifiers = 0;
    if (keys.length > 0) {
      await this.identifiers.updateMany({ _id: { $in: keys } }, { $pullAll: { holders: ids } });
      await this.identifiers.updateMany({ _id: { $in: keys }, customerId: { $in: ids } }, { $set: { customerId: '' } });
      const left = await this.identifiers.find({ _id: { $in: keys } }).toArray();
      // No holder left, or an entry from before holders were kept whose owner was erased.
      const orphans = left.filter((d) => (d.holders === undefined ? d.customerId === '' : d.holders.length === 0)).map((d) => d._id);
      if (orphans.length > 0) identifiers = (await this.identifiers.deleteMany({ _id: { $in: orphans } })).deletedCount;
    }
    const { deletedCount } = await this.holdings.deleteMany({ _id: { $in: ids } });
    return { identifiers, holdings: deletedCount };
  }

  /** Access request: the identifier entries the customers hold or own, and their holdings documents. */
  async exportCustomers(customerIds: readonly string[]): Promise<{ identifiers: unknown[]; holdings: unknown[] }> {
    const ids = [...customerIds];
    const [held, owned] = await Promise.all([
      this.holdings.find({ _id: { $in: ids } }).toArray(),
      this.identifiers.find({ customerId: { $in: ids } }).toArray(),
    ]);
    const ownedKeys = new Set(owned.map((d) => d._id));
    const heldOnly = [...new Set(held.flatMap((d) => d.keys))].filter((k) => !ownedKeys.has(k));
    const more = heldOnly.length > 0 ? await this.identifiers.find({ _id: { $in: heldOnly } }).toArray() : [];
    return { identifiers: [...owned, ...more], holdings: held };
  }

  /**
   * The identifier's owner (the latest snapshot to list it) and every customer holding it now;
   * `holders` is absent on entries written before holders were kept (then the owner answers).
   */
  async lookup(identifier: IdentifierV1): Promise<{ customerId?: string; holders?: string[] }> {
    const document = await this.identifiers.findOne({ _id: identifierKey(identifier) });
    if (document === null) return {};
    const found: { customerId?: string; holders?: string[] } = {};
    if (document.customerId !== '') found.customerId = document.customerId;
    if (Array.isArray(document.holders)) found.holders = [...new Set(document.holders)].sort();
    return found;
  }
}

/** What each customer's latest snapshot changes in its stored holdings (nothing: left out). */
function plan(
  latest: ReadonlyMap<string, { keys: ReadonlySet<string>; at: Date }>,
  stored: ReadonlyMap<string, HoldingDocument>,
): HoldingChange[] {
  const changes: HoldingChange[] = [];
  for (const [customerId, { keys, at }] of latest) {
    const held = stored.get(customerId);
    // Older than the snapshot that last changed the customer's holdings (a late redelivery).
    if (held !== undefined && held.at > at) continue;
    const before = new Set(held?.keys ?? []);
    const added = [...keys].filter((k) => !before.has(k));
    const removed = [...before].filter((k) => !keys.has(k));
    if (added.length + removed.length > 0) changes.push({ customerId, keys: [...keys].sort(), at, added, removed, version: held?.version });
  }
  return changes;
}
