import { DAY_MS } from '../../segments/domain/event-counter';
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
