import { BulkWriteCounts, bulkWriteGate, chunkedBulkWrite, SerialGate } from './bulk-writes';
import { BulkOperation, ensureThenApply } from './idempotent-writes';

interface Call {
  operations: number[];
  ordered: boolean;
}

/** A collection that records its bulk writes and can hold each one open until released. */
class RecordingCollection {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly releases: Array<() => void> = [];

  constructor(
    readonly dbName: string | undefined,
    private readonly hold = false,
  ) {}

  async bulkWrite(operations: number[], options: { ordered: boolean }): Promise<BulkWriteCounts> {
    this.calls.push({ operations, ordered: options.ordered });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.hold) await new Promise<void>((resolve) => this.releases.push(resolve));
    this.inFlight--;
    return { insertedCount: 0, matchedCount: operations.length, modifiedCount: operations.length - 1, deletedCount: 0, upsertedCount: 1 };
  }

  /** Lets every write started so far finish; returns how many were released. */
  releaseAll(): number {
    const waiting = this.releases.splice(0);
    waiting.forEach((release) => release());
    return waiting.length;
  }
}

/** Resolves once the event loop has run everything already queued. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('chunkedBulkWrite', () => {
  it('sends chunks of at most the chunk size, in order, and adds up their counts', async () => {
    const collection = new RecordingCollection('db-a');
    const operations = Array.from({ length: 23 }, (_, i) => i);

    const totals = await chunkedBulkWrite(collection, operations, { chunkSize: 10, ordered: true });

    expect(collection.calls.map((c) => c.operations)).toEqual([operations.slice(0, 10), operations.slice(10, 20), operations.slice(20)]);
    expect(collection.calls.every((c) => c.ordered)).toBe(true);
    expect(totals).toEqual({ insertedCount: 0, matchedCount: 23, modifiedCount: 20, deletedCount: 0, upsertedCount: 3 });
  });

  it('defaults to unordered chunks of 500 and sends nothing for no operations', async () => {
    const collection = new RecordingCollection('db-b');
    await chunkedBulkWrite(collection, []);
    expect(collection.calls).toHaveLength(0);

    await chunkedBulkWrite(
      collection,
      Array.from({ length: 1200 }, (_, i) => i),
    );
    expect(collection.calls.map((c) => [c.operations.length, c.ordered])).toEqual([
      [500, false],
      [500, false],
      [200, false],
    ]);
  });

  it('counts inserts apart: new documents fill a chunk of their own size beside the update statements', async () => {
    const calls: Array<{ inserts: number; others: number }> = [];
    type Op = { insertOne: { document: { _id: number } } } | { updateOne: { filter: { _id: number } } };
    const collection = {
      dbName: 'db-inserts',
      async bulkWrite(operations: Op[]): Promise<BulkWriteCounts> {
        const inserts = operations.filter((o) => 'insertOne' in o).length;
        calls.push({ inserts, others: operations.length - inserts });
        return { insertedCount: inserts, matchedCount: operations.length - inserts, modifiedCount: 0, deletedCount: 0, upsertedCount: 0 };
      },
    };
    const operations: Op[] = [
      ...Array.from({ length: 7 }, (_, i): Op => ({ insertOne: { document: { _id: i } } })),
      ...Array.from({ length: 5 }, (_, i): Op => ({ updateOne: { filter: { _id: i } } })),
    ];

    const totals = await chunkedBulkWrite(collection, operations, { chunkSize: 2, insertChunkSize: 4, ordered: true });

    expect(calls).toEqual([
      { inserts: 4, others: 0 },
      { inserts: 3, others: 2 },
      { inserts: 0, others: 2 },
      { inserts: 0, others: 1 },
    ]);
    expect(totals.insertedCount + totals.matchedCount).toBe(12);
    await expect(chunkedBulkWrite(collection, operations, { insertChunkSize: 0 })).rejects.toThrow(RangeError);

    // Unordered, inserts go first: interleaved with updates they still fill one chunk of their own size.
    calls.length = 0;
    const interleaved = operations.slice(7).flatMap((update, i) => [update, operations[i] ?? update]);
    await chunkedBulkWrite(collection, interleaved, { chunkSize: 2, insertChunkSize: 5 });
    expect(calls).toEqual([
      { inserts: 5, others: 2 },
      { inserts: 0, others: 2 },
      { inserts: 0, others: 1 },
    ]);
  });

  it('refuses a chunk size that would loop forever', async () => {
    await expect(chunkedBulkWrite(new RecordingCollection('db-c'), [1], { chunkSize: 0 })).rejects.toThrow(RangeError);
  });

  it('with serialize, never has two writes to one database in flight, even from two callers', async () => {
    const collection = new RecordingCollection('db-serial', true);
    const first = chunkedBulkWrite(collection, [1, 2, 3], { chunkSize: 2, serialize: true });
    const second = chunkedBulkWrite(collection, [4, 5], { chunkSize: 2, serialize: true });
    // Release writes one at a time until both callers are done.
    let released = 0;
    while (released < 3) {
      await settle();
      released += collection.releaseAll();
    }
    await Promise.all([first, second]);

    expect(collection.maxInFlight).toBe(1);
    expect(collection.calls.map((c) => c.operations)).toEqual([[1, 2], [4, 5], [3]]);
  });

  it('serialises writers of one database reached through mongoose collections (conn.name), not those of another', async () => {
    const first = Object.assign(new RecordingCollection('', true), { dbName: undefined, conn: { name: 'db-mongoose' } });
    const sameDatabase = Object.assign(new RecordingCollection('', true), { dbName: undefined, conn: { name: 'db-mongoose' } });
    const otherDatabase = Object.assign(new RecordingCollection('', true), { dbName: undefined, conn: { name: 'db-other' } });
    const writes = [first, sameDatabase, otherDatabase].map((c, i) => chunkedBulkWrite(c, [i], { serialize: true }));
    await settle();
    expect([first.inFlight + sameDatabase.inFlight, otherDatabase.inFlight]).toEqual([1, 1]);
    while (first.calls.length + sameDatabase.calls.length + otherDatabase.calls.length < 3) {
      [first, sameDatabase, otherDatabase].forEach((c) => c.releaseAll());
      await settle();
    }
    [first, sameDatabase, otherDatabase].forEach((c) => c.releaseAll());
    await Promise.all(writes);
  });

  it('without serialize, concurrent callers overlap', async () => {
    const collection = new RecordingCollection('db-free', true);
    const first = chunkedBulkWrite(collection, [1], {});
    const second = chunkedBulkWrite(collection, [2], {});
    await settle();
    expect(collection.inFlight).toBe(2);
    collection.releaseAll();
    await Promise.all([first, second]);
  });

  it('keeps one gate per database, and a failed write does not block the gate', async () => {
    expect(bulkWriteGate('db-x')).toBe(bulkWriteGate('db-x'));
    expect(bulkWriteGate('db-x')).not.toBe(bulkWriteGate('db-y'));

    const gate = new SerialGate();
    const failing = {
      dbName: 'db-fail',
      bulkWrite: (): Promise<BulkWriteCounts> => Promise.reject(new Error('hung up')),
    };
    await expect(chunkedBulkWrite(failing, [1], { serialize: gate })).rejects.toThrow('hung up');
    const collection = new RecordingCollection('db-fail');
    await expect(chunkedBulkWrite(collection, [2], { serialize: gate })).resolves.toMatchObject({ matchedCount: 1 });
  });
});

describe('ensureThenApply', () => {
  it('creates each document once (unordered), then applies the updates ordered, in chunks', async () => {
    const calls: Array<{ operations: unknown[]; ordered: boolean }> = [];
    const model = {
      collection: {
        dbName: 'db-ensure',
        bulkWrite: async (operations: never[], options: { ordered: boolean }): Promise<BulkWriteCounts> => {
          calls.push({ operations, ordered: options.ordered });
          return { insertedCount: 0, matchedCount: operations.length, modifiedCount: 0, deletedCount: 0, upsertedCount: 0 };
        },
      },
    };
    const ensure = [
      { id: 'a', onInsert: { n: 0 } },
      { id: 'b', onInsert: { n: 0 } },
      { id: 'a', onInsert: { n: 0 } },
    ];
    const apply: BulkOperation[] = Array.from({ length: 3 }, (_, i) => ({
      updateOne: { filter: { _id: `c${i}` }, update: { $set: { n: i } } },
    }));

    const matched = await ensureThenApply(model, ensure, apply, { chunkSize: 2 });

    expect(matched).toBe(3);
    expect(calls.map((c) => [c.operations.length, c.ordered])).toEqual([
      [2, false],
      [2, true],
      [1, true],
    ]);
    expect(calls[0]?.operations).toEqual([
      { updateOne: { filter: { _id: 'a' }, update: { $setOnInsert: { n: 0 } }, upsert: true } },
      { updateOne: { filter: { _id: 'b' }, update: { $setOnInsert: { n: 0 } }, upsert: true } },
    ]);
  });
});
