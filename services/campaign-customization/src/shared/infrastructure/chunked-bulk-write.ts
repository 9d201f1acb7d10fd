import type { mongo } from 'mongoose';

/**
 * Two FerretDB v1.24 (SQLite backend) behaviours shape every bulk write of this service:
 * - an update command of 100 statements or more is never answered (99 return in ~0.1 s);
 * - concurrent bulk updates from one process can hang the same way (three writers of ~130
 *   replacements each, measured; one writer never did).
 * So bulk writes go in chunks well below 100 and one at a time per process. Statements are
 * independent and unordered, so neither changes what is written, only the round trips; with
 * MongoDB the gate costs little because a batch's write is a few milliseconds.
 */
export const BULK_CHUNK = 50;

/** Runs async work one piece at a time, in call order. */
export class SerialGate {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const writes = new SerialGate();

export function chunkedBulkWrite<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  operations: ReadonlyArray<mongo.AnyBulkWriteOperation<T>>,
): Promise<{ matchedCount: number; insertedCount: number; upsertedCount: number }> {
  return writes.run(async () => {
    let matchedCount = 0;
    let insertedCount = 0;
    let upsertedCount = 0;
    for (let i = 0; i < operations.length; i += BULK_CHUNK) {
      const result = await collection.bulkWrite(operations.slice(i, i + BULK_CHUNK), { ordered: false });
      matchedCount += result.matchedCount;
      insertedCount += result.insertedCount;
      upsertedCount += result.upsertedCount;
    }
    return { matchedCount, insertedCount, upsertedCount };
  });
}
