import { Injectable } from '@nestjs/common';
import { InjectRedis, Redis } from '@o2o/redis';

/**
 * Remembers messageIds per source for the dedup window. First writer wins (SET NX), so of two
 * concurrent deliveries only one is forwarded; downstream projections are idempotent anyway,
 * which makes this an optimisation with a durable guarantee behind it.
 */
@Injectable()
export class DedupStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** Claims each id; returns true for ids seen for the first time. One pipelined round trip. */
  async claim(sourceId: string, messageIds: string[], windowSeconds: number): Promise<boolean[]> {
    if (messageIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of messageIds) pipeline.set(this.key(sourceId, id), '1', 'EX', windowSeconds, 'NX');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      return reply === 'OK';
    });
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
