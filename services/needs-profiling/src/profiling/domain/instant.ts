/**
 * Instants are kept as ISO-8601 UTC strings produced by `toISOString()`, so they read well in
 * MongoDB and in the API, and two of them compare correctly as plain strings. Every instant that
 * enters the domain goes through `normaliseInstant` first: events carry arbitrary offsets.
 */
export const DAY_MS = 86_400_000;

export class InvalidInstantError extends Error {
  constructor(readonly input: string) {
    super(`not an ISO-8601 instant: ${input}`);
    this.name = 'InvalidInstantError';
  }
}

// Decay and window computations parse the same few hundred evidence instants on every event;
// memoising the parse (a pure function) removes most of that cost. Cleared when large, not LRU:
// simplicity beats precision for a cache this cheap to refill.
const parsed = new Map<string, number>();
const PARSE_CACHE_LIMIT = 50_000;

export function instantMs(iso: string): number {
  const cached = parsed.get(iso);
  if (cached !== undefined) return cached;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidInstantError(iso);
  if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
  parsed.set(iso, ms);
  return ms;
}

// One event's time is normalised several times as it is applied (the fold, its evidence, its
// facts, its journal entry): each string is converted once, the same way as the parse above.
const normalised = new Map<string, string>();

export function normaliseInstant(iso: string): string {
  const cached = normalised.get(iso);
  if (cached !== undefined) return cached;
  const ms = instantMs(iso);
  const result = new Date(ms).toISOString();
  if (normalised.size >= PARSE_CACHE_LIMIT) normalised.clear();
  normalised.set(iso, result);
  // Decay and window computations parse the normalised form next.
  if (!parsed.has(result)) {
    if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
    parsed.set(result, ms);
  }
  return result;
}

/**
 * Orders two normalised instants without parsing them: sorting bounded evidence sets on every
 * event made Date.parse the hottest function of the profiler. Only for instants that went
 * through `normaliseInstant`.
 */
export function compareInstants(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareInstants(a, b) >= 0 ? a : b;
}

export function earlierOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareInstants(a, b) <= 0 ? a : b;
}

/** Fractional days from `from` to `to`; negative when `from` is later. */
export function daysBetween(from: string, to: string): number {
  return (instantMs(to) - instantMs(from)) / DAY_MS;
}
