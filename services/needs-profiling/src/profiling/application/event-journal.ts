import { hash } from 'node:crypto';
import { resolvedEventDataV1, type IdentifierV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import { normaliseInstant } from '../domain';
import type { JournalEntry } from './ports/needs-profile.store';

/** SHA-256 in one call (`crypto.hash`): the same digest as createHash().update().digest(), at about half the CPU for inputs this short. */
export function identifierHash(identifier: IdentifierV1): string {
  return hash('sha256', `${identifier.type}:${identifier.value}`, 'hex').slice(0, 32);
}

/**
 * Hashes of identifiers, each computed once per batch: a customer's events in one batch carry the
 * same identifiers, and the SHA-256 per identifier per event was a visible share of the service's
 * CPU. Lives for one batch (the handler makes one per call), so no identifier outlives it in memory.
 */
export class IdentifierHashes {
  private readonly known = new Map<string, string>();

  of(identifier: IdentifierV1): string {
    const key = `${identifier.type}:${identifier.value}`;
    let hash = this.known.get(key);
    if (hash === undefined) {
      hash = identifierHash(identifier);
      this.known.set(key, hash);
    }
    return hash;
  }
}

/** Same loose matching as the domain applies to attribute names (smoking_room = smokingRoom). */
const nameKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

// The never-stored names come from the config (one array for the process): normalised once, not per event.
const droppedNames = new WeakMap<readonly string[], ReadonlySet<string>>();
function droppedOf(neverStore: readonly string[]): ReadonlySet<string> {
  let dropped = droppedNames.get(neverStore);
  if (dropped === undefined) {
    dropped = new Set(neverStore.map(nameKey));
    droppedNames.set(neverStore, dropped);
  }
  return dropped;
}

/**
 * The journal keeps only what the profile reads: identifiers become hashes, identity traits the
 * profile never stores are dropped, and of the context only the stated purpose survives.
 */
export function journalEntryOf(
  event: ResolvedEventDataV1,
  neverStore: readonly string[],
  hashes: IdentifierHashes = new IdentifierHashes(),
): JournalEntry {
  const dropped = droppedOf(neverStore);
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
    identifierHashes: event.identifiers.map((identifier) => hashes.of(identifier)),
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
