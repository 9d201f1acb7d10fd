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
  }

  /** Points every identifier of each snapshot at its customer unless a newer snapshot already did. */
  async assign(snapshots: ReadonlyArray<{ customerId: string; identifiers: IdentifierV1[]; updatedAt: string }>): Promise<void> {
    const owners = new Map<string, { customerId: string; updatedAt: Date }>();
    for (const s of snapshots) {
      const updatedAt = new Date(s.updatedAt);
      for (const identifier of s.identifiers) {
        const key = identifierKey(identifier);
        const held = owners.get(key);
        if (held === undefined || held.updatedAt <= updatedAt) owners.set(key, { customerId: s.customerId, updatedAt });
      }
    }
    if (owners.size === 0) return;
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
  }

  async lookup(identifier: IdentifierV1): Promise<string | undefined> {
    const document = await this.identifiers.findOne({ _id: identifierKey(identifier) });
    return document && document.customerId !== '' ? document.customerId : undefined;
  }
}
