/**
 * Rolling event counters: one series of per-day counts per track event name, and per
 * (event, property, value) for the properties some rule filters on. Day buckets keep a profile
 * to at most MAX_WINDOW_DAYS entries per series however active the customer is, at the price of
 * day granularity: "the last N days" means the current UTC day and the N - 1 days before it.
 */

export const DAY_MS = 86_400_000;
/** The longest window a rule may ask for, and so how long buckets are kept. */
export const MAX_WINDOW_DAYS = 365;

export type FilterValue = string | number | boolean;

export interface CounterSeries {
  event: string;
  /** Set on a filtered series: it counts only events whose property equals value. */
  property?: string;
  value?: FilterValue;
  /** [UTC day index, count] pairs, ascending by day, never a zero count. */
  buckets: Array<[number, number]>;
}

/** Which properties of which events are counted separately: event name -> property names. */
export type TrackedProperties = Readonly<Record<string, readonly string[]>>;

export interface CountQuery {
  event: string;
  where?: { property: string; value: FilterValue };
}

export interface CountedEvent {
  /** Track event name, matched exactly (case-sensitive), as Segment does. */
  name: string;
  properties?: Record<string, unknown>;
  /** Event time (after ingestion's clock-skew correction). */
  at: string | number | Date;
}

export function dayIndex(at: string | number | Date): number {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  return Math.floor(ms / DAY_MS);
}

/**
 * Bounds of one customer's counters: a customer sending ever new event names or tracked property
 * values would otherwise grow its document without end (and one day past MongoDB's 16 MB).
 */
export interface CounterLimits {
  /** Series kept; beyond it the least recently active series are dropped. */
  maxSeries: number;
  /** A day's count saturates here. */
  maxCount: number;
  /** Told each time a limit changes the counters. */
  onLimit?: (limit: 'counter-series' | 'counter-value') => void;
}

/**
 * The counters within the limits: counts clamped to maxCount, and at most maxSeries series, the
 * ones with the most recent activity kept (ties: the larger total). Returns the same array when
 * nothing was over.
 */
export function capCounters(counters: readonly CounterSeries[], limits: CounterLimits): readonly CounterSeries[] {
  let next = counters;
  if (counters.some((s) => s.buckets.some(([, c]) => c > limits.maxCount))) {
    next = counters.map((s) =>
      s.buckets.some(([, c]) => c > limits.maxCount)
        ? { ...s, buckets: s.buckets.map(([d, c]): [number, number] => [d, Math.min(c, limits.maxCount)]) }
        : s,
    );
    limits.onLimit?.('counter-value');
  }
  if (next.length > limits.maxSeries) {
    const lastDay = (s: CounterSeries): number => s.buckets[s.buckets.length - 1]?.[0] ?? -Infinity;
    const total = (s: CounterSeries): number => s.buckets.reduce((sum, [, c]) => sum + c, 0);
    const ranked = next
      .map((series, index) => ({ series, index }))
      .sort((a, b) => lastDay(b.series) - lastDay(a.series) || total(b.series) - total(a.series) || a.index - b.index);
    const kept = new Set(ranked.slice(0, limits.maxSeries).map((r) => r.index));
    next = next.filter((_, i) => kept.has(i));
    limits.onLimit?.('counter-series');
  }
  return next;
}

/**
 * Adds one event to the counters. Events too old for any window are ignored, so replaying a
 * topic from the beginning does not grow the profile. Not idempotent by itself: the projection
 * must record the event id in the same write, as for every other effect.
 */
export function recordEvent(
  counters: readonly CounterSeries[],
  event: CountedEvent,
  tracked: TrackedProperties,
  now: Date,
  retentionDays = MAX_WINDOW_DAYS,
  limits?: CounterLimits,
): CounterSeries[] {
  const counted = countEvent(counters, event, tracked, now, retentionDays);
  return limits ? [...capCounters(counted, limits)] : counted;
}

function countEvent(
  counters: readonly CounterSeries[],
  event: CountedEvent,
  tracked: TrackedProperties,
  now: Date,
  retentionDays: number,
): CounterSeries[] {
  const day = dayIndex(event.at);
  const today = dayIndex(now);
  if (!Number.isFinite(day) || day <= today - retentionDays) return pruneCounters(counters, now, retentionDays);
  const queries: CountQuery[] = [{ event: event.name }];
  for (const property of tracked[event.name] ?? []) {
    const value = readProperty(event.properties, property);
    if (value !== undefined) queries.push({ event: event.name, where: { property, value } });
  }
  // A copy of the array, changed in place: the series themselves are replaced, never mutated.
  const next = [...counters];
  for (const query of queries) {
    const index = next.findIndex((s) => countsQuery(s, query));
    const series = next[index];
    if (series === undefined) next.push({ ...seriesOf(query), buckets: [[day, 1]] });
    else next[index] = { ...series, buckets: addToBuckets(series.buckets, day, 1) };
  }
  return pruneCounters(next, now, retentionDays);
}

/** Drops buckets that no window can reach any more, and series left empty. */
export function pruneCounters(counters: readonly CounterSeries[], now: Date, retentionDays = MAX_WINDOW_DAYS): CounterSeries[] {
  const oldestKept = dayIndex(now) - retentionDays + 1;
  const kept: CounterSeries[] = [];
  for (const series of counters) {
    // Most series have nothing to drop: kept as they are without copying their buckets.
    if (series.buckets.every(([day]) => day >= oldestKept)) {
      kept.push(series);
      continue;
    }
    const buckets = series.buckets.filter(([day]) => day >= oldestKept);
    if (buckets.length > 0) kept.push(buckets.length === series.buckets.length ? series : { ...series, buckets });
  }
  return kept;
}

/** Events matching the query in the current UTC day and the days - 1 days before it; events dated after today do not count. */
export function countInWindow(counters: readonly CounterSeries[], query: CountQuery, days: number, now: Date): number {
  const series = counters.find((s) => countsQuery(s, query));
  if (series === undefined) return 0;
  const today = dayIndex(now);
  const first = today - days + 1;
  let total = 0;
  for (const [day, count] of series.buckets) if (day >= first && day <= today) total += count;
  return total;
}

/** Counters of two merged customers: their events all belong to the survivor now. */
export function mergeCounters(a: readonly CounterSeries[], b: readonly CounterSeries[]): CounterSeries[] {
  const merged = a.map((s) => ({ ...s, buckets: [...s.buckets] }));
  for (const series of b) {
    const query = toQuery(series);
    const target = merged.find((s) => countsQuery(s, query));
    if (target === undefined) {
      merged.push({ ...series, buckets: [...series.buckets] });
      continue;
    }
    for (const [day, count] of series.buckets) target.buckets = addToBuckets(target.buckets, day, count);
  }
  return merged;
}

/** Property names may be dotted paths into nested properties (ingestion forbids "." inside keys). */
export function readProperty(properties: Record<string, unknown> | undefined, path: string): FilterValue | undefined {
  let current: unknown = properties;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string' || typeof current === 'boolean') return current;
  if (typeof current === 'number' && Number.isFinite(current)) return current;
  return undefined;
}

function addToBuckets(buckets: ReadonlyArray<[number, number]>, day: number, count: number): Array<[number, number]> {
  const next: Array<[number, number]> = [];
  let added = false;
  for (const bucket of buckets) {
    const [d, c] = bucket;
    if (!added && d === day) {
      next.push([d, c + count]);
      added = true;
    } else {
      if (!added && d > day) {
        next.push([day, count]);
        added = true;
      }
      // Buckets are never changed in place (a count changes by a new pair), so the others are shared.
      next.push(bucket);
    }
  }
  if (!added) next.push([day, count]);
  return next;
}

function toQuery(series: CounterSeries): CountQuery {
  return series.property !== undefined && series.value !== undefined
    ? { event: series.event, where: { property: series.property, value: series.value } }
    : { event: series.event };
}

function seriesOf(query: CountQuery): Omit<CounterSeries, 'buckets'> {
  return query.where ? { event: query.event, property: query.where.property, value: query.where.value } : { event: query.event };
}

/**
 * Whether the series counts exactly what the query asks: the same event, and the same filter or
 * none. Values compare strictly, so 1 and "1" stay apart, as the rule language keeps them (and
 * as the JSON keys this compared before did; values are finite numbers, text or booleans).
 */
export function countsQuery(series: CounterSeries, query: CountQuery): boolean {
  if (series.event !== query.event) return false;
  const filtered = series.property !== undefined && series.value !== undefined;
  if (query.where === undefined) return !filtered;
  return filtered && series.property === query.where.property && series.value === query.where.value;
}
