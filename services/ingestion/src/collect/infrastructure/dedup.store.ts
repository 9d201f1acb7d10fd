import { Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';

import type { ClaimOutcome, DedupClaims } from '../application/ports';

const DONE = '1';
const PENDING = 'pending';

/**
 * Claims every key of a request in one command (was two commands per key, SET NX then GET, in
 * one pipeline): 1 fresh (claimed now), 2 pending (another request holds it), 3 done (stored
 * before). The script runs atomically, so no key can expire between its SET and its GET.
 */
const CLAIM = `
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'EX', ARGV[2], 'NX') then
    out[i] = 1
  else
    local held = redis.call('GET', key)
    if held == false or held == ARGV[1] then out[i] = 2 else out[i] = 3 end
  end
end
return out`;

/** Marks every key of a request done for the window, in one command (was one SET per key). */
const CONFIRM = `
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'EX', ARGV[2]) end
return #KEYS`;

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
   * pending (another request is writing it, or died doing so). One command, one round trip.
   */
  async claim(sourceId: string, messageIds: string[], pendingSeconds: number): Promise<ClaimOutcome[]> {
    if (messageIds.length === 0) return [];
    const keys = messageIds.map((id) => this.key(sourceId, id));
    const answer: unknown = await this.redis.eval(CLAIM, keys.length, ...keys, PENDING, String(pendingSeconds));
    if (!Array.isArray(answer) || answer.length !== messageIds.length) throw new Error('unexpected answer from the dedup claim script');
    return answer.map((code: unknown) => (code === 1 ? 'fresh' : code === 3 ? 'done' : 'pending'));
  }

  /** Marks claimed ids as stored, for the whole dedup window. */
  async confirm(sourceId: string, messageIds: string[], windowSeconds: number): Promise<void> {
    if (messageIds.length === 0) return;
    const keys = messageIds.map((id) => this.key(sourceId, id));
    await this.redis.eval(CONFIRM, keys.length, ...keys, DONE, String(windowSeconds));
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
