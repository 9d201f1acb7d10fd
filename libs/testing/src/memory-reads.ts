/**
 * A read by id over the documents a unit test's in-memory store holds, handing out copies as a
 * database read does, so the code under test cannot change the store by changing what it read.
 * Shaped for libs/mongo's `loadWithSurvivors(ids, readCopies(docs))`.
 */
export function readCopies<D>(docs: ReadonlyMap<string, D>): (ids: readonly string[]) => Promise<Map<string, D>> {
  return async (ids) =>
    new Map(
      ids.flatMap((id) => {
        const doc = docs.get(id);
        return doc === undefined ? [] : [[id, structuredClone(doc)] as const];
      }),
    );
}
