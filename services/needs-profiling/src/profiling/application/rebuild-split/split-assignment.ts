import type { IdentifierV1 } from '@o2o/contracts';
import { byTimeThenId, identifierHash } from '../event-journal';
import type { JournalEntry } from '../ports/needs-profile.store';

export interface SplitPart {
  customerId: string;
  identifiers: IdentifierV1[];
}

/**
 * Which part of a split each journaled event belongs to: the part sharing the most of the
 * identifiers the event carried (the evidence identity resolution itself splits on), else the
 * part whose id the event originally carried (events of a customer merged in earlier), else the
 * first part, which keeps the split customer's id. Every entry goes to exactly one part.
 */
export function assignToParts(entries: readonly JournalEntry[], parts: readonly SplitPart[]): Map<string, JournalEntry[]> {
  const hashes = parts.map((p) => new Set(p.identifiers.map(identifierHash)));
  const assigned = new Map<string, JournalEntry[]>(parts.map((p) => [p.customerId, []]));
  const first = parts[0];
  if (!first) return assigned;
  for (const entry of entries) {
    let best: SplitPart | undefined;
    let bestShared = 0;
    parts.forEach((part, index) => {
      const shared = entry.identifierHashes.filter((h) => hashes[index]?.has(h)).length;
      if (shared > bestShared) {
        best = part;
        bestShared = shared;
      }
    });
    const part = best ?? parts.find((p) => p.customerId === entry.customerId) ?? first;
    assigned.get(part.customerId)?.push(entry);
  }
  for (const list of assigned.values()) list.sort(byTimeThenId);
  return assigned;
}
