/**
 * Entries into and exits from segments over time, counted per hour of the change's time
 * (`changedAt`: the time of what caused it, not of processing).
 */

export const FLOW_BUCKET_MS = 3_600_000;
/** Longest history kept and served. */
export const FLOW_RETENTION_HOURS = 24 * 7;

export type FlowChange = 'entered' | 'exited';

export interface FlowBucket {
  /** Start of the hour (ISO 8601, UTC). */
  start: string;
  entered: number;
  exited: number;
}

/** The hour a change falls in, as the id of its bucket: "2026-12-06T16". */
export function flowBucketOf(at: string | Date): string {
  const time = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(Math.floor(time / FLOW_BUCKET_MS) * FLOW_BUCKET_MS).toISOString().slice(0, 13);
}

/** The last `hours` buckets up to and including the one `now` falls in, oldest first. */
export function flowBucketsUntil(now: Date, hours: number): string[] {
  const last = Math.floor(now.getTime() / FLOW_BUCKET_MS) * FLOW_BUCKET_MS;
  const out: string[] = [];
  for (let i = hours - 1; i >= 0; i--) out.push(new Date(last - i * FLOW_BUCKET_MS).toISOString().slice(0, 13));
  return out;
}

/** The bucket id back to the start of its hour. */
export function flowBucketStart(bucket: string): string {
  return `${bucket}:00:00.000Z`;
}
