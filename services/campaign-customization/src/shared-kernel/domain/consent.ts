import { z } from 'zod';

/** Channel value of a consent record that covers the purpose on every channel. */
export const ALL_CHANNELS = '*';

/** Purposes and channels become parts of rule paths and of storage keys, so they are kept to slugs. */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug: letters, digits, "-" or "_", at most 64 characters');

export type ConsentStatus = 'granted' | 'withdrawn';

/** The latest consent decision of one customer for one purpose on one channel (or on all: "*"). */
export interface ConsentRecord {
  purpose: string;
  /** A channel slug, or "*" for the purpose as a whole. */
  channel: string;
  status: ConsentStatus;
  /** When the customer decided; decides which of two records wins. */
  at: string;
  /** Where the decision was captured (source id), so it can be demonstrated. */
  source?: string;
  /** Version of the wording the customer saw. */
  wordingVersion?: string;
  /** How it was given or withdrawn: checkbox, unsubscribe link, call-centre, ... */
  mechanism?: string;
}

export type ResolvedConsent = { status: ConsentStatus; at: string; channel: string; record: ConsentRecord } | { status: 'unknown' };

/**
 * The consent in force for a purpose, on a channel or (without one) for the purpose as a whole.
 * A channel-specific record and a purpose-wide one both apply to a channel; the later decision
 * wins because that is what the customer last said. On equal times withdrawal wins: when in
 * doubt, do not contact.
 */
export function resolveConsent(records: readonly ConsentRecord[], purpose: string, channel?: string): ResolvedConsent {
  let best: ConsentRecord | undefined;
  for (const record of records) {
    if (record.purpose !== purpose) continue;
    if (record.channel !== ALL_CHANNELS && record.channel !== channel) continue;
    if (best === undefined || supersedes(record, best)) best = record;
  }
  return best === undefined ? { status: 'unknown' } : { status: best.status, at: best.at, channel: best.channel, record: best };
}

/** Folds one decision into the latest-per-(purpose, channel) state; an older replayed decision changes nothing. */
export function applyConsentDecision(records: readonly ConsentRecord[], decision: ConsentRecord): ConsentRecord[] {
  const index = records.findIndex((r) => r.purpose === decision.purpose && r.channel === decision.channel);
  if (index === -1) return [...records, decision];
  const current = records[index];
  if (current === undefined || !supersedes(decision, current)) return [...records];
  return records.map((r, i) => (i === index ? decision : r));
}

/** Consent of two merged customers: per (purpose, channel) the later decision, as if both were one customer all along. */
export function mergeConsent(a: readonly ConsentRecord[], b: readonly ConsentRecord[]): ConsentRecord[] {
  return b.reduce<ConsentRecord[]>((acc, record) => applyConsentDecision(acc, record), [...a]);
}

function supersedes(candidate: ConsentRecord, current: ConsentRecord): boolean {
  const c = Date.parse(candidate.at);
  const k = Date.parse(current.at);
  if (c !== k) return c > k;
  return candidate.status === 'withdrawn' && current.status === 'granted';
}
