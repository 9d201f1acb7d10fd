/**
 * How many merges deep a chain B -> A -> ... is followed. Longer chains are a bug upstream;
 * following them further would hide it.
 */
export const MAX_MERGE_HOPS = 8;

/** A projection document of a customer that may have been merged into another (its survivor). */
export interface MergeableDocument {
  readonly mergedInto?: string | undefined;
}

/** Documents by customer id, and the survivor every read id resolves to. */
export interface ResolvedDocuments<D> {
  docs: Map<string, D>;
  survivorOf: (id: string) => string;
}

/**
 * Reads the documents of the given customers and of the survivors merged ones point to: one
 * read, plus one per merge hop only when merged ids appear. `survivorOf` follows the chain as
 * far as it was read (in a cycle, to the last id before the chain comes back to the start).
 */
export async function loadWithSurvivors<D extends MergeableDocument>(
  ids: readonly string[],
  read: (ids: string[]) => Promise<ReadonlyMap<string, D>>,
): Promise<ResolvedDocuments<D>> {
  const docs = new Map(await read([...new Set(ids)]));
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const missing = [...new Set([...docs.values()].flatMap((d) => (d.mergedInto !== undefined && !docs.has(d.mergedInto) ? [d.mergedInto] : [])))];
    if (missing.length === 0) break;
    for (const [id, doc] of await read(missing)) docs.set(id, doc);
  }
  const survivorOf = (id: string): string => {
    let current = id;
    for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
      const next = docs.get(current)?.mergedInto;
      if (next === undefined || next === id) return current;
      current = next;
    }
    return current;
  };
  return { docs, survivorOf };
}
