import { daysBetween } from './instant';

/**
 * Exponential decay: a signal one half-life old counts half. Signals "from the future" (clock
 * skew) count in full rather than more than in full.
 */
export function decayed(weight: number, at: string, asOf: string, halfLifeDays: number): number {
  const ageDays = Math.max(0, daysBetween(at, asOf));
  return weight * Math.pow(0.5, ageDays / halfLifeDays);
}

/** Saturating confidence: `evidence == halfAt` gives 0.5, more evidence approaches 1. */
export function saturating(evidence: number, halfAt: number): number {
  return evidence <= 0 ? 0 : evidence / (evidence + halfAt);
}
