import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { NextAction } from '../../campaigns/domain/next-action.decider';

/** How long a decision request key is remembered: a retry within it gets the same decision. */
const REMEMBER_SECONDS = 24 * 3600;
/** A claim not completed within this time (a crashed instance) may be taken over by a retry. */
const CLAIM_MS = 30_000;

/** What is kept of a decision for its retries: no personal data (the brief is read again). */
export interface RememberedDecision {
  state: 'done';
  /** Hash of the request's customer identifier and channel: the same key for another request is refused. */
  fingerprint: string;
  decisionId?: string;
  action: NextAction;
  decidedAt: string;
}

export type DecisionClaim =
  { kind: 'claimed'; decisionId: string } | { kind: 'done'; decision: RememberedDecision } | { kind: 'in-progress' } | { kind: 'reused' };

/**
 * Decision requests by their idempotency key (per client): the first request claims the key, its
 * decision is remembered for a day, and a retry gets the same decision instead of a second
 * contact. The decision id is derived from the key, so even a retry after a crash between the
 * reservation and the answer reserves the same contact (the counters' member) and publishes the
 * same event id (consumers deduplicate by it).
 */
@Injectable()
export class DecisionRequestStore {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  private key(client: string, requestKey: string): string {
    return `cc:decision-request:${createHash('sha256').update(`${client}\n${requestKey}`).digest('base64url')}`;
  }

  static fingerprint(type: string, value: string, channel: string): string {
    return createHash('sha256').update(`${type}\n${value}\n${channel}`).digest('base64url');
  }

  static decisionIdOf(client: string, requestKey: string): string {
    const hex = createHash('sha256').update(`decision\n${client}\n${requestKey}`).digest('hex');
    // Laid out as a UUID (version 8: application-defined) so it looks like every other decision id.
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  async claim(client: string, requestKey: string, fingerprint: string): Promise<DecisionClaim> {
    const key = this.key(client, requestKey);
    const claimed = await this.redis.set(key, JSON.stringify({ state: 'pending', fingerprint }), 'PX', CLAIM_MS, 'NX');
    if (claimed === 'OK') return { kind: 'claimed', decisionId: DecisionRequestStore.decisionIdOf(client, requestKey) };
    const held = await this.redis.get(key);
    if (held === null) return this.claim(client, requestKey, fingerprint);
    const parsed = JSON.parse(held) as { state: 'pending'; fingerprint: string } | RememberedDecision;
    if (parsed.fingerprint !== fingerprint) return { kind: 'reused' };
    return parsed.state === 'done' ? { kind: 'done', decision: parsed } : { kind: 'in-progress' };
  }

  async remember(client: string, requestKey: string, decision: RememberedDecision): Promise<void> {
    await this.redis.set(this.key(client, requestKey), JSON.stringify(decision), 'EX', REMEMBER_SECONDS);
  }

  /** A request that failed gives its key back, so a retry decides afresh. */
  async release(client: string, requestKey: string): Promise<void> {
    await this.redis.del(this.key(client, requestKey));
  }
}
