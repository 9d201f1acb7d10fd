import { createHash } from 'node:crypto';
import { resolvedEventDataV1, type IdentifierV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import { normaliseInstant } from '../domain';
import type { JournalEntry } from './ports/needs-profile.store';

export function identifierHash(identifier: IdentifierV1): string {
  return createHash('sha256').update(`${identifier.type}:${identifier.value}`).digest('hex').slice(0, 32);
}

/** Same loose matching as the domain applies to attribute names (smoking_room = smokingRoom). */
const nameKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The journal keeps only what the profile reads: identifiers become hashes, identity traits the
 * profile never stores are dropped, and of the context only the stated purpose survives.
 */
export function journalEntryOf(event: ResolvedEventDataV1, neverStore: readonly string[]): JournalEntry {
  const dropped = new Set(neverStore.map(nameKey));
  const traits = event.traits
    ? Object.fromEntries(Object.entries(event.traits).filter(([name]) => !dropped.has(nameKey(name))))
    : undefined;
  const purpose = event.context?.['purpose'];
  const kept: ResolvedEventDataV1 = {
    messageId: event.messageId,
    sourceId: event.sourceId,
    channel: event.channel,
    eventType: event.eventType,
    customerId: event.customerId,
    identifiers: [],
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    ...(event.event !== undefined ? { event: event.event } : {}),
    ...(event.name !== undefined ? { name: event.name } : {}),
    ...(event.category !== undefined ? { category: event.category } : {}),
    ...(traits !== undefined ? { traits } : {}),
    ...(event.properties !== undefined ? { properties: event.properties } : {}),
    ...(purpose !== undefined ? { context: { purpose } } : {}),
  };
  return {
    id: event.messageId,
    at: normaliseInstant(event.timestamp),
    customerId: event.customerId,
    identifierHashes: event.identifiers.map(identifierHash),
    event: JSON.stringify(kept),
  };
}

/** The stored event, validated again: the journal outlives releases of the contract. */
export function replayableEvent(entry: JournalEntry, customerId: string): ResolvedEventDataV1 {
  return { ...resolvedEventDataV1.parse(JSON.parse(entry.event)), customerId };
}

/** Union of journals by event id, oldest first, newest `limit` kept. */
export function unionJournals(a: readonly JournalEntry[], b: readonly JournalEntry[], limit: number): JournalEntry[] {
  const byId = new Map<string, JournalEntry>();
  for (const entry of [...a, ...b]) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  const sorted = [...byId.values()].sort(byTimeThenId);
  return limit > 0 ? sorted.slice(-limit) : [];
}

export function byTimeThenId(x: JournalEntry, y: JournalEntry): number {
  if (x.at !== y.at) return x.at < y.at ? -1 : 1;
  return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
}
