import { DAY_MS } from './instant';

/**
 * Exponential decay: a signal one half-life old counts half. Signals "from the future" (clock
 * skew) count in full rather than more than in full.
 */
export function decayed(weight: number, atMs: number, asOfMs: number, halfLifeDays: number): number {
  const ageDays = Math.max(0, (asOfMs - atMs) / DAY_MS);
  return weight * Math.pow(0.5, ageDays / halfLifeDays);
}

/** Saturating confidence: `evidence == halfAt` gives 0.5, more evidence approaches 1. */
export function saturating(evidence: number, halfAt: number): number {
  return evidence <= 0 ? 0 : evidence / (evidence + halfAt);
}
