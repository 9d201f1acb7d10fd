import { followMerges, MAX_MERGE_HOPS } from '@o2o/contracts';

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
    const missing = [
      ...new Set([...docs.values()].flatMap((d) => (d.mergedInto !== undefined && !docs.has(d.mergedInto) ? [d.mergedInto] : []))),
    ];
    if (missing.length === 0) break;
    for (const [id, doc] of await read(missing)) docs.set(id, doc);
  }
  return { docs, survivorOf: (id) => followMerges(id, (current) => docs.get(current)?.mergedInto) };
}
