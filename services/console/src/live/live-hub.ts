import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';

/** What an open customer screen is told: something about this customer changed; it reloads what it shows. */
export interface LiveChange {
  customerId: string;
  /** The topic the change was read from. */
  from: string;
  type: string;
  time: string;
  summary?: string;
}

/**
 * Fan-out of customer changes to server-sent-event streams on every console instance: the one
 * instance whose consumer read a change publishes it on Redis; each instance holds one
 * subscriber connection and passes changes to the streams open on it.
 */
@Injectable()
export class LiveHub implements OnModuleDestroy {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<(change: LiveChange) => void>>();

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** Redis does not prefix pub/sub channels; the key prefix keeps test runs apart. */
  private channel(customerId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}console:live:${customerId}`;
  }

  async publish(changes: readonly LiveChange[]): Promise<void> {
    if (changes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const change of changes) pipeline.publish(this.channel(change.customerId), JSON.stringify(change));
    await pipeline.exec();
  }

  changes(customerId: string): Observable<LiveChange> {
    return new Observable<LiveChange>((observer) => {
      const channel = this.channel(customerId);
      const listener = (change: LiveChange) => observer.next(change);
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        this.connection()
          .subscribe(channel)
          .catch((error: unknown) => observer.error(error));
      }
      set.add(listener);
      return () => {
        const current = this.listeners.get(channel);
        current?.delete(listener);
        if (current && current.size === 0) {
          this.listeners.delete(channel);
          this.subscriber?.unsubscribe(channel).catch(() => undefined);
        }
      };
    });
  }

  private connection(): Redis {
    if (!this.subscriber) {
      // Queued until connected (the shared client fails fast instead); ioredis re-subscribes after a reconnect.
      const subscriber = this.redis.duplicate({ keyPrefix: '', enableOfflineQueue: true });
      subscriber.on('error', () => undefined);
      subscriber.on('message', (channel: string, message: string) => {
        const set = this.listeners.get(channel);
        if (!set) return;
        const change = JSON.parse(message) as LiveChange;
        for (const listener of set) listener(change);
      });
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.disconnect();
  }
}
