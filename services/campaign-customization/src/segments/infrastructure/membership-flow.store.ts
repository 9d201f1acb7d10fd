import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import {
  FLOW_BUCKET_MS,
  FLOW_RETENTION_HOURS,
  flowBucketOf,
  flowBucketStart,
  flowBucketsUntil,
  type FlowBucket,
  type FlowChange,
} from '../domain/membership-flow';
import type { FlowRecord, MembershipFlowCounts } from '../application/ports';

function key(segmentId: string, bucket: string, change: FlowChange): string {
  return `flow:${segmentId}:${bucket}:${change}`;
}

/**
 * Entries and exits per segment and hour, in Redis: one set per (segment, hour, direction)
 * holding a short hash of each change's event id, so a change recorded twice (a batch redone, an
 * outbox published again after a crash) counts once, and the count is one SCARD. The hash keeps
 * customer ids out of the sets (nothing to erase here). Sets expire with the retention
 * (FLOW_RETENTION_HOURS), as the design asks for short windows; at populations where a set per
 * hour grows too large, a HyperLogLog (PFADD/PFCOUNT, 12 KB, about 1 % error) is the next step.
 */
@Injectable()
export class MembershipFlowStore implements MembershipFlowCounts {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async record(changes: readonly FlowRecord[], now = new Date()): Promise<void> {
    if (changes.length === 0) return;
    const pipeline = this.redis.pipeline();
    const touched = new Map<string, number>();
    for (const c of changes) {
      const bucket = flowBucketOf(c.changedAt);
      const expiresAt = Date.parse(flowBucketStart(bucket)) + (FLOW_RETENTION_HOURS + 1) * FLOW_BUCKET_MS;
      if (!(expiresAt > now.getTime())) continue;
      const k = key(c.segmentId, bucket, c.change);
      pipeline.sadd(k, createHash('sha256').update(c.eventId).digest('base64url').slice(0, 16));
      touched.set(k, expiresAt);
    }
    for (const [k, expiresAt] of touched) pipeline.pexpireat(k, expiresAt);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed?.[0]) throw failed[0];
  }

  /** The segment's entries and exits in each of the last `hours` hours, oldest first. */
  async read(segmentId: string, hours: number, now = new Date()): Promise<FlowBucket[]> {
    const buckets = flowBucketsUntil(now, hours);
    const pipeline = this.redis.pipeline();
    for (const bucket of buckets) pipeline.scard(key(segmentId, bucket, 'entered')).scard(key(segmentId, bucket, 'exited'));
    const results = (await pipeline.exec()) ?? [];
    const count = (i: number): number => {
      const [error, value] = results[i] ?? [null, 0];
      if (error) throw error;
      return typeof value === 'number' ? value : 0;
    };
    return buckets.map((bucket, i) => ({ start: flowBucketStart(bucket), entered: count(2 * i), exited: count(2 * i + 1) }));
  }
}
