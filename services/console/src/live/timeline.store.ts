import { Inject, Injectable } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';

/** One line of a customer's timeline: what happened, on which channel, when (no traits, no properties beyond a summary). */
export interface TimelineEntry {
  id: string;
  time: string;
  channel: string;
  kind: string;
  label: string;
  detail?: string;
}

/**
 * The recent interactions of each customer, from identity.events: a Redis sorted set per
 * customer scored by event time, member = the entry (so a redelivered event is the same member and
 * is stored once), trimmed to the newest CONSOLE_TIMELINE_LIMIT, expiring when untouched.
 */
@Injectable()
export class TimelineStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async add(entries: ReadonlyArray<{ customerId: string; entry: TimelineEntry }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    const touched = new Set<string>();
    for (const { customerId, entry } of entries) {
      pipeline.zadd(timelineKey(customerId), Date.parse(entry.time), JSON.stringify(entry));
      touched.add(customerId);
    }
    for (const customerId of touched) {
      pipeline.zremrangebyrank(timelineKey(customerId), 0, -this.config.CONSOLE_TIMELINE_LIMIT - 1);
      pipeline.expire(timelineKey(customerId), this.config.CONSOLE_TIMELINE_TTL_SECONDS);
    }
    await pipeline.exec();
  }

  async recent(customerId: string): Promise<TimelineEntry[]> {
    const raw = await this.redis.zrevrange(timelineKey(customerId), 0, this.config.CONSOLE_TIMELINE_LIMIT - 1);
    return raw.map((r) => JSON.parse(r) as TimelineEntry);
  }

  /** The identifiers of a customer looked up lately, to send the agent's events with and to reload the screen by id. */
  async rememberIdentifiers(customerId: string, identifiers: ReadonlyArray<{ type: string; value: string }>): Promise<void> {
    const kept = identifiers.map(({ type, value }) => ({ type, value }));
    await this.redis.set(identifiersKey(customerId), JSON.stringify(kept), 'EX', this.config.CONSOLE_SESSION_TTL_SECONDS);
  }

  async identifiersOf(customerId: string): Promise<Array<{ type: string; value: string }>> {
    const raw = await this.redis.get(identifiersKey(customerId));
    return raw ? (JSON.parse(raw) as Array<{ type: string; value: string }>) : [];
  }

  async exportData(customerIds: readonly string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const id of customerIds) out[id] = { timeline: await this.recent(id), identifiersLookedUp: await this.identifiersOf(id) };
    return out;
  }

  async erase(customerIds: readonly string[]): Promise<number> {
    if (customerIds.length === 0) return 0;
    return this.redis.del(...customerIds.flatMap((id) => [timelineKey(id), identifiersKey(id)]));
  }
}

function timelineKey(customerId: string): string {
  return `console:timeline:${customerId}`;
}
function identifiersKey(customerId: string): string {
  return `console:identifiers:${customerId}`;
}
