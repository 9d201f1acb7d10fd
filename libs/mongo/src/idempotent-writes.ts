import type { AnyBulkWriteOperation } from 'mongoose';

/** Bulk operations on a collection; typed loosely because filters use dotted paths and operators. */
export type BulkOperation = AnyBulkWriteOperation<Record<string, unknown>>;

/** How many applied event ids a projection document remembers (per key, newest kept). */
export const APPLIED_EVENTS_KEPT = 200;

/**
 * Filter and update fragments for "apply this event to this document exactly once": the event id
 * is recorded in the same document write as the change, and the filter skips documents that
 * already hold it. A redelivery matches nothing and changes nothing.
 */
export function onceFilter(id: string, eventId: string, field = 'appliedEvents'): Record<string, unknown> {
  return { _id: id, [field]: { $ne: eventId } };
}

export function recordApplied(eventId: string | string[], field = 'appliedEvents', kept = APPLIED_EVENTS_KEPT): Record<string, unknown> {
  return { [field]: { $each: Array.isArray(eventId) ? eventId : [eventId], $slice: -kept } };
}

/**
 * Runs a batch of idempotent updates in two bulk writes that cannot fail on duplicates:
 * first create missing documents by _id ($setOnInsert only), then apply the conditional
 * updates without upsert. (Upserting with a "not yet applied" filter would raise E11000 on
 * replays, and FerretDB v1 stops an unordered bulk write at its first error.)
 */
/**
 * FerretDB v1 (SQLite) never answers an update command of about 100 statements or more, so bulk
 * writes go in chunks well below that. Chunks of one ordered write stay in order.
 */
export const BULK_CHUNK = 50;

async function inChunks(
  collection: { bulkWrite(operations: never[], options: { ordered: boolean }): Promise<unknown> },
  operations: unknown[],
  ordered: boolean,
): Promise<void> {
  for (let i = 0; i < operations.length; i += BULK_CHUNK) {
    await collection.bulkWrite(operations.slice(i, i + BULK_CHUNK) as never[], { ordered });
  }
}

export async function ensureThenApply(
  model: { collection: { bulkWrite(operations: never[], options: { ordered: boolean }): Promise<unknown> } },
  ensure: Array<{ id: string; onInsert: Record<string, unknown> }>,
  apply: BulkOperation[],
): Promise<void> {
  const collection = model.collection;
  const unique = new Map(ensure.map((e) => [e.id, e]));
  if (unique.size > 0) {
    await inChunks(
      collection,
      [...unique.values()].map((e) => ({ updateOne: { filter: { _id: e.id }, update: { $setOnInsert: e.onInsert }, upsert: true } })),
      false,
    );
  }
  if (apply.length > 0) await inChunks(collection, apply, true);
}
