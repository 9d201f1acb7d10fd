import { DAY_MS } from '../../shared-kernel/domain/event-counter';
import type { GroupCounts } from './lift.statistics';

export type ExposureGroup = 'treated' | 'control';

/**
 * One customer's standing in one campaign's experiment. Customer-level, not contact-level:
 * the unit of the comparison is the customer, counted once, from the first exposure (a treated
 * contact, or a control decision where a contact would have been).
 */
export interface AttributionState {
  group: ExposureGroup;
  firstExposedAt: string;
  /** The first goal event inside the window, if any. */
  convertedAt?: string;
  /** Revenue of the customer's events (properties.revenue) inside the window: revenue per customer. */
  revenue?: number;
  /** The customer's latest event inside the window: retention. */
  lastActiveAt?: string;
}

/** Days after the first exposure a customer must still be active to count as retained. */
export const RETENTION_DAYS = 7;

/**
 * Folds any event of an exposed customer: its revenue counts toward revenue per customer when it
 * falls within the window, and it moves the last activity (retention). Idempotent only together
 * with the projection's applied-event ids, like conversions.
 */
export function recordActivity(
  state: AttributionState | undefined,
  at: string,
  revenue: number | undefined,
  windowDays: number,
): AttributionState | undefined {
  if (state === undefined || !isWithinWindow(state.firstExposedAt, at, windowDays)) return state;
  const next: AttributionState = { ...state };
  if (revenue !== undefined && revenue > 0) next.revenue = (state.revenue ?? 0) + revenue;
  if (state.lastActiveAt === undefined || Date.parse(at) > Date.parse(state.lastActiveAt)) next.lastActiveAt = at;
  return next.revenue === state.revenue && next.lastActiveAt === state.lastActiveAt ? state : next;
}

export interface RevenueSums {
  customers: number;
  sum: number;
  sumOfSquares: number;
}

export interface OutcomeTallies {
  revenue: { treated: RevenueSums; control: RevenueSums };
  retention: { treated: GroupCounts; control: GroupCounts };
}

/** Revenue sums and retained counts per group, from customers' states: the inputs of the revenue and retention lifts. */
export function tallyOutcomes(states: Iterable<AttributionState>): OutcomeTallies {
  const empty = (): RevenueSums => ({ customers: 0, sum: 0, sumOfSquares: 0 });
  const result: OutcomeTallies = {
    revenue: { treated: empty(), control: empty() },
    retention: { treated: { exposed: 0, converted: 0 }, control: { exposed: 0, converted: 0 } },
  };
  for (const state of states) {
    const revenue = result.revenue[state.group];
    const value = state.revenue ?? 0;
    revenue.customers += 1;
    revenue.sum += value;
    revenue.sumOfSquares += value * value;
    const retention = result.retention[state.group];
    retention.exposed += 1;
    if (state.lastActiveAt !== undefined && Date.parse(state.lastActiveAt) - Date.parse(state.firstExposedAt) >= RETENTION_DAYS * DAY_MS)
      retention.converted += 1;
  }
  return result;
}

/** Folds an exposure: only the first one counts, so redeliveries and repeat contacts change nothing. */
export function recordExposure(state: AttributionState | undefined, group: ExposureGroup, at: string): AttributionState {
  if (state === undefined) return { group, firstExposedAt: at };
  // An exposure replayed out of order may be earlier than the one held.
  if (Date.parse(at) < Date.parse(state.firstExposedAt) && state.convertedAt === undefined) return { ...state, firstExposedAt: at };
  return state;
}

/** Folds a goal event: it converts the customer when it falls within the window after the first exposure. */
export function recordConversion(state: AttributionState | undefined, at: string, windowDays: number): AttributionState | undefined {
  if (state === undefined || state.convertedAt !== undefined) return state;
  return isWithinWindow(state.firstExposedAt, at, windowDays) ? { ...state, convertedAt: at } : state;
}

/** A goal event at or after exposure and at most windowDays later. */
export function isWithinWindow(exposedAt: string, convertedAt: string, windowDays: number): boolean {
  const delta = Date.parse(convertedAt) - Date.parse(exposedAt);
  return delta >= 0 && delta <= windowDays * DAY_MS;
}

/** Per-group counts from customers' states: the input of computeLift. */
export function tally(states: Iterable<AttributionState>): { treated: GroupCounts; control: GroupCounts } {
  const treated: GroupCounts = { exposed: 0, converted: 0 };
  const control: GroupCounts = { exposed: 0, converted: 0 };
  for (const state of states) {
    const group = state.group === 'treated' ? treated : control;
    group.exposed += 1;
    if (state.convertedAt !== undefined) group.converted += 1;
  }
  return { treated, control };
}
