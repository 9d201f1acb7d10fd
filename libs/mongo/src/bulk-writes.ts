/**
 * FerretDB v1.24 on SQLite shapes every bulk write of the platform:
 * - as released, an update command of about 100 statements or more was never answered: each
 *   statement's open row set held one of the SQLite pool's 100 connections until the command
 *   ended. The local build closes it after each statement (deploy/local/ferretdb/patches, 0003),
 *   and one command of 1,000 updates, or four of 500 to one collection at once, answer in under a
 *   second there (2026-12-07);
 * - two or more bulk writes to one database at once (partitions consumed concurrently, or two
 *   consumers of one process) could hang for good, keeping the database locked;
 * - an unordered bulk write stops at its first error (MongoDB goes on).
 * So bulk writes go in chunks of at most 500 statements and, where a process may write one
 * database from several places at once, one at a time per process and database. On MongoDB
 * both cost little (its own limit is 100,000 statements per command).
 */
export const BULK_CHUNK = 500;

/**
 * Inserts are counted apart from the other statements: an insert command of 500 documents of
 * 3 KB, two at once, answered in about 1 s on the local FerretDB (and the driver splits a command
 * beyond the server's maxWriteBatchSize or 48 MB itself), so a batch of new documents goes in one
 * insert command beside its updates, inserts first.
 */
export const BULK_INSERT_CHUNK = 500;

/** Counts a bulk write reports (the driver's BulkWriteResult has them all). */
export interface BulkWriteCounts {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
}

/** What chunkedBulkWrite needs of a collection: the driver's (or mongoose's) `Collection` fits. */
export interface BulkWritableCollection<Op> {
  bulkWrite(operations: Op[], options: { ordered: boolean }): Promise<BulkWriteCounts>;
  /** Names the database the gate is kept per (the driver's collection)... */
  readonly dbName?: string;
  /** ...or its connection does (mongoose's collection); collections with neither share a gate. */
  readonly conn?: { readonly name?: string };
}

function databaseOf(collection: BulkWritableCollection<unknown>): string {
  return collection.dbName ?? collection.conn?.name ?? '';
}

/** Runs async work one piece at a time, in call order; a failure does not block what follows. */
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

const gates = new Map<string, SerialGate>();

/** The process-wide gate of one database: every `serialize: true` writer to it queues here. */
export function bulkWriteGate(dbName = ''): SerialGate {
  let gate = gates.get(dbName);
  if (!gate) {
    gate = new SerialGate();
    gates.set(dbName, gate);
  }
  return gate;
}

export interface ChunkedBulkWriteOptions {
  /** Update, replace and delete statements per chunk (default BULK_CHUNK = 500). */
  chunkSize?: number;
  /** Inserts per chunk, counted apart from the other statements (default BULK_INSERT_CHUNK = 500). */
  insertChunkSize?: number;
  /**
   * Ordered: each chunk is an ordered bulk write and stops at its first error, and no later
   * chunk is sent. Unordered (default): statements must be independent of each other (inserts
   * are sent first).
   */
  ordered?: boolean;
  /**
   * One bulk write at a time per process and database: `true` uses the database's process-wide
   * gate (`bulkWriteGate(<database>)`), a SerialGate a gate of the caller's choosing.
   * Chunks are gated one by one, so two writers interleave chunks but never overlap; one
   * writer's chunks stay in its order. The database is the collection's `dbName` (driver) or
   * `conn.name` (mongoose).
   */
  serialize?: boolean | SerialGate;
}

/**
 * Sends bulk write statements in chunks FerretDB v1 answers, optionally one write at a time per
 * process, and adds up the counts. An empty list sends nothing.
 */
export async function chunkedBulkWrite<Op>(
  collection: BulkWritableCollection<Op>,
  operations: readonly Op[],
  options: ChunkedBulkWriteOptions = {},
): Promise<BulkWriteCounts> {
  const chunkSize = options.chunkSize ?? BULK_CHUNK;
  const insertChunkSize = options.insertChunkSize ?? BULK_INSERT_CHUNK;
  for (const [name, size] of Object.entries({ chunkSize, insertChunkSize }))
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`${name} must be a positive integer, got ${size}`);
  const ordered = options.ordered ?? false;
  const gate = options.serialize === true ? bulkWriteGate(databaseOf(collection)) : options.serialize || undefined;
  const totals: BulkWriteCounts = { insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0 };
  // Unordered statements are independent: inserts first, so they fill one insert command rather
  // than one beside each chunk of updates.
  const sequence = ordered ? operations : [...operations.filter(isInsert), ...operations.filter((o) => !isInsert(o))];
  for (const chunk of chunksOf(sequence, chunkSize, insertChunkSize)) {
    const write = () => collection.bulkWrite(chunk, { ordered });
    const result = gate ? await gate.run(write) : await write();
    totals.insertedCount += result.insertedCount;
    totals.matchedCount += result.matchedCount;
    totals.modifiedCount += result.modifiedCount;
    totals.deletedCount += result.deletedCount;
    totals.upsertedCount += result.upsertedCount;
  }
  return totals;
}

function isInsert(operation: unknown): boolean {
  return typeof operation === 'object' && operation !== null && 'insertOne' in operation;
}

/**
 * Consecutive runs of the operations, each with at most `chunkSize` statements other than
 * inserts and at most `insertChunkSize` inserts, in their order.
 */
function* chunksOf<Op>(operations: readonly Op[], chunkSize: number, insertChunkSize: number): Generator<Op[]> {
  let chunk: Op[] = [];
  let inserts = 0;
  let others = 0;
  for (const operation of operations) {
    const insert = isInsert(operation);
    if (insert ? inserts === insertChunkSize : others === chunkSize) {
      yield chunk;
      chunk = [];
      inserts = 0;
      others = 0;
    }
    chunk.push(operation);
    if (insert) inserts += 1;
    else others += 1;
  }
  if (chunk.length > 0) yield chunk;
}
