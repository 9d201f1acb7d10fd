import type { AnyBulkWriteOperation } from 'mongoose';
import { BulkWritableCollection, chunkedBulkWrite, ChunkedBulkWriteOptions } from './bulk-writes';

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
 * replays, and FerretDB v1 stops an unordered bulk write at its first error.) Both go in chunks
 * (see chunkedBulkWrite); the updates stay ordered. Returns how many updates matched.
 */
export async function ensureThenApply(
  model: { collection: BulkWritableCollection<never> },
  ensure: Array<{ id: string; onInsert: Record<string, unknown> }>,
  apply: BulkOperation[],
  options: Omit<ChunkedBulkWriteOptions, 'ordered'> = {},
): Promise<number> {
  const collection = model.collection;
  const unique = new Map(ensure.map((e) => [e.id, e]));
  if (unique.size > 0) {
    await chunkedBulkWrite(
      collection,
      [...unique.values()].map(
        (e) => ({ updateOne: { filter: { _id: e.id }, update: { $setOnInsert: e.onInsert }, upsert: true } }) as never,
      ),
      { ...options, ordered: false },
    );
  }
  if (apply.length === 0) return 0;
  return (await chunkedBulkWrite(collection, apply as never[], { ...options, ordered: true })).matchedCount;
}
