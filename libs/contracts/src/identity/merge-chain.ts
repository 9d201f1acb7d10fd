/**
 * How many merges deep a chain B -> A -> ... is followed, by every service alike. Identity
 * resolution points a merged customer at its survivor, so a chain grows only when a survivor is
 * merged again; the bound stops a cycle (a bug upstream) from becoming a hang.
 */
export const MAX_MERGE_HOPS = 32;

/**
 * The id a customer id stands for now: the end of its chain of merges, as far as `mergedInto`
 * knows it. In a cycle it stops at the last id before the chain comes back to the start; past
 * MAX_MERGE_HOPS it stops where it got to.
 */
export function followMerges(id: string, mergedInto: (id: string) => string | undefined): string {
  let current = id;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const next = mergedInto(current);
    if (next === undefined || next === id) return current;
    current = next;
  }
  return current;
}

/**
 * Every link of a customer's chain of merges, from the customer to its survivor, read one at a
 * time (for a single lookup; batches read a hop for all their ids at once). undefined when a link
 * is missing or the chain is longer than MAX_MERGE_HOPS (a cycle).
 */
export async function walkMerges<T>(
  id: string,
  read: (id: string) => Promise<T | undefined>,
  mergedInto: (link: T) => string | undefined,
): Promise<T[] | undefined> {
  const chain: T[] = [];
  let current = id;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    const link = await read(current);
    if (link === undefined) return undefined;
    chain.push(link);
    const next = mergedInto(link);
    if (next === undefined) return chain;
    current = next;
  }
  return undefined;
}
