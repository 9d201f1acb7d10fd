/**
 * Structural equality over the plain JSON data the domain stores. Key order is ignored because
 * a profile read back from MongoDB need not keep the order in which it was built.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sameJson(a: unknown, b: unknown): boolean {
  // The same object (a part of the profile an operation left as it was) needs no serialising.
  if (a === b) return true;
  return canonicalJson(a) === canonicalJson(b);
}

/** Rounds published numbers so that float noise never reads as a change. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
