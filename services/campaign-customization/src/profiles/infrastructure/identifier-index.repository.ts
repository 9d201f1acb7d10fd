import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { IdentifierV1 } from '@o2o/contracts';
import { chunkedBulkWrite, isDuplicateKeyError } from '@o2o/mongo';

interface IdentifierDocument {
  /** "type:value" of the normalised identifier: one owner per identifier. */
  _id: string;
  customerId: string;
  /** Time of the identity snapshot that set the owner; an older snapshot never takes it back. */
  updatedAt: Date;
  /** Every customer whose current snapshot holds the identifier: more than one means it is shared. */
  holders?: string[];
}

export function identifierKey(identifier: IdentifierV1): string {
  return `${identifier.type}:${identifier.value}`;
}

/**
 * Identifier -> customer, built from the identity snapshots this service consumes, so the
 * next-action lookup never asks identity resolution (nor reads its database).
 */
@Injectable()
export class IdentifierIndexRepository implements OnModuleInit {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get identifiers(): mongo.Collection<IdentifierDocument> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    return db.collection<IdentifierDocument>('identifiers');
  }

  async onModuleInit(): Promise<void> {
    await this.identifiers.createIndex({ customerId: 1 });
    await this.identifiers.createIndex({ holders: 1 });
  }

  /**
   * Points every identifier of each snapshot at its customer unless a newer snapshot already did,
   * and keeps its holders. Writes only what changed: one read of the entries the batch's customers
   * hold, then statements for the identifiers that moved, appeared or were dropped. A snapshot
   * that lists what its customer already holds and owns (most snapshots: identity resolution
   * publishes one for every event of a known customer) writes nothing.
   *
   * The owner's time is therefore that of the snapshot that gave it the identifier, not of its
   * latest one: a late snapshot of another customer dated between the two can still take the
   * owner field. Lookups answer from the holders (each customer's latest snapshot), which this
   * does not affect; the owner is what an erasure deletes by, and a customer that took it that
   * way did hold the identifier.
   */
  async assign(snapshots: ReadonlyArray<{ customerId: string; identifiers: IdentifierV1[]; updatedAt: string }>): Promise<void> {
    const owners = new Map<string, { customerId: string; updatedAt: Date }>();
    // Holders follow each customer's latest snapshot in the batch.
    const latest = new Map<string, { keys: Set<string>; at: number }>();
    for (const s of snapshots) {
      const updatedAt = new Date(s.updatedAt);
      const at = updatedAt.getTime();
      const keys = new Set<string>();
      for (const identifier of s.identifiers) {
        const key = identifierKey(identifier);
        keys.add(key);
        const held = owners.get(key);
        if (held === undefined || held.updatedAt <= updatedAt) owners.set(key, { customerId: s.customerId, updatedAt });
      }
      const previous = latest.get(s.customerId);
      if (previous === undefined || previous.at <= at) latest.set(s.customerId, { keys, at });
    }
    if (latest.size === 0) return;
    const before = await this.identifiers.find({ holders: { $in: [...latest.keys()] } }, { projection: { customerId: 1, holders: 1 } }).toArray();
    const stored = new Map(before.map((d) => [d._id, d]));
    // Owned already by the customer that claims it: nothing to move.
    const moved = new Map([...owners].filter(([key, owner]) => stored.get(key)?.customerId !== owner.customerId));
    if (moved.size > 0) await this.assignOwners(moved);
    await this.assignHolders(latest, before);
  }

  /**
   * Added where a customer's latest snapshot lists the identifier and it is not yet among its
   * holders, removed where an earlier snapshot did and this one no longer does. Both are set
   * operations, so a redelivered batch changes nothing (and now writes nothing).
   */
  private async assignHolders(latest: ReadonlyMap<string, { keys: ReadonlySet<string> }>, before: ReadonlyArray<Pick<IdentifierDocument, '_id' | 'holders'>>): Promise<void> {
    const heldBefore = new Set<string>();
    const pulls: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    for (const d of before) {
      for (const c of d.holders ?? []) {
        heldBefore.add(`${c} ${d._id}`);
        const keys = latest.get(c)?.keys;
        if (keys !== undefined && !keys.has(d._id)) pulls.push({ updateOne: { filter: { _id: d._id }, update: { $pull: { holders: c } } } });
      }
    }
    const adds: mongo.AnyBulkWriteOperation<IdentifierDocument>[] = [];
    for (const [customerId, { keys }] of latest) {
      for (const key of keys) if (!heldBefore.has(`${customerId} ${key}`)) adds.push({ updateOne: { filter: { _id: key }, update: { $addToSet: { holders: customerId } } } });
    }
    if (pulls.length + adds.length > 0) await chunkedBulkWrite(this.identifiers, [...pulls, ...adds], { serialize: true });
  }

  private async assignOwners(owners: Map<string, { customerId: string; updatedAt: Date }>): Promise<void> {
    const assignments = [...owners.entries()].map(([key, owner]) => ({
      updateOne: { filter: { _id: key, updatedAt: { $lte: owner.updatedAt } }, update: { $set: { customerId: owner.customerId, updatedAt: owner.updatedAt } } },
    }));
    // Usually one round trip: each identifier is new (created) or held through an older
    // snapshot (taken). Held through a newer one, the upsert finds no match and tries to create
    // it: E11000, which ends FerretDB's bulk write early; then the two steps below, which never
    // fail, redo the whole batch (every statement is idempotent).
    try {
      await chunkedBulkWrite(
        this.identifiers,
        assignments.map((a) => ({ updateOne: { ...a.updateOne, upsert: true } })),
        { serialize: true },
      );
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await chunkedBulkWrite(
      this.identifiers,
      [...owners.keys()].map((key) => ({ updateOne: { filter: { _id: key }, update: { $setOnInsert: { customerId: '', updatedAt: new Date(0) } }, upsert: true } })),
      { serialize: true },
    );
    await chunkedBulkWrite(this.identifiers, assignments, { serialize: true });
  }

  /** Erasure: the customer's identifiers no longer lead anywhere. */
  async removeCustomer(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await this.identifiers.deleteMany({ customerId: { $in: [...customerIds] } });
    await this.identifiers.updateMany({ holders: { $in: [...customerIds] } }, { $pullAll: { holders: [...customerIds] } });
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
