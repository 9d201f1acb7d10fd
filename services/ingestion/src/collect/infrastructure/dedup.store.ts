import { Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';

import type { ClaimOutcome, DedupClaims } from '../application/ports';

const DONE = '1';
const PENDING = 'pending';

/**
 * Remembers messageIds per source for the dedup window. First writer wins (SET NX), so of two
 * concurrent deliveries only one is forwarded; downstream projections are idempotent anyway,
 * which makes this an optimisation with a durable guarantee behind it.
 *
 * A claim is "pending" (short expiry) until the events are in Kafka and only then "done" for the
 * whole window: an ingestion killed between its claim and its write leaves a claim that expires,
 * so the sender's retry is written, not answered 200 as a duplicate of something never stored.
 */
@Injectable()
export class DedupStore implements DedupClaims {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /**
   * Claims each id for `pendingSeconds`: fresh (first seen, now claimed), done (stored before) or
   * pending (another request is writing it, or died doing so). One pipelined round trip.
   */
  async claim(sourceId: string, messageIds: string[], pendingSeconds: number): Promise<ClaimOutcome[]> {
    if (messageIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of messageIds) {
      pipeline.set(this.key(sourceId, id), PENDING, 'EX', pendingSeconds, 'NX');
      pipeline.get(this.key(sourceId, id));
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    return messageIds.map((_, i) => {
      if (results[2 * i]?.[1] === 'OK') return 'fresh';
      // Expired between the two commands: nobody holds it, so a retry will claim it.
      const held = results[2 * i + 1]?.[1];
      return held === PENDING || held === null || held === undefined ? 'pending' : 'done';
    });
  }

  /** Marks claimed ids as stored, for the whole dedup window. */
  async confirm(sourceId: string, messageIds: string[], windowSeconds: number): Promise<void> {
    if (messageIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of messageIds) pipeline.set(this.key(sourceId, id), DONE, 'EX', windowSeconds);
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }

  /** Releases claims whose events could not be stored, so the caller's retry is accepted. */
  async release(sourceId: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.redis.del(...messageIds.map((id) => this.key(sourceId, id)));
  }

  private key(sourceId: string, messageId: string): string {
    return `ingest:dedup:${sourceId}:${messageId}`;
  }
}
