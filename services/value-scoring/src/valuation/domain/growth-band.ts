/**
 * The most-growable ranking as equality lookups. FerretDB v1 (with this project's patches) serves
 * only equality and `$in` conditions on string fields from an index; a sort on any field but
 * `_id`, or a range, is evaluated over every document. So each score write also stores the band
 * its room to grow falls in (a string, eight bands per doubling: a band's values differ by at most
 * 9 %), and a page reads whole bands from the top down with `$in` (index-backed on both MongoDB
 * and FerretDB), ordering within the bands it read in memory. Bands only hold customers with room
 * to grow (> 0).
 */
export const BANDS_PER_DOUBLING = 8;
/** Room to grow below a cent shares the lowest band; above 2^40 (about 10^12) the highest. */
const LOWEST_LOG2 = -7;
const HIGHEST_LOG2 = 40;
export const HIGHEST_BAND = (HIGHEST_LOG2 - LOWEST_LOG2) * BANDS_PER_DOUBLING;

/** The band index of a positive room to grow (0 .. HIGHEST_BAND), higher for more; undefined without room to grow. */
export function growthBandIndex(growthValue: number): number | undefined {
  if (!(growthValue > 0) || !Number.isFinite(growthValue)) return undefined;
  const index = Math.floor((Math.log2(growthValue) - LOWEST_LOG2) * BANDS_PER_DOUBLING);
  return Math.min(HIGHEST_BAND, Math.max(0, index));
}

/** The stored form of a band: fixed width, so that it is a plain string key. */
export function growthBandKey(index: number): string {
  return `g${String(index).padStart(3, '0')}`;
}

export function growthBand(growthValue: number): string | undefined {
  const index = growthBandIndex(growthValue);
  return index === undefined ? undefined : growthBandKey(index);
}

/** Bands to read next, from `from` down, `count` of them (fewer at the bottom). */
export function bandsDownFrom(from: number, count: number): string[] {
  const bands: string[] = [];
  for (let i = from; i >= 0 && bands.length < count; i--) bands.push(growthBandKey(i));
  return bands;
}
