import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRedis, type Redis } from '@o2o/redis';
import { InjectLogger, type Logger } from '@o2o/observability';
import type { CampaignChangeNotices } from '../application/ports';

/**
 * Campaign change notices over Redis pub/sub: one subscriber connection per instance. A notice
 * is sent after the save it announces has been acknowledged by MongoDB, so a reload that starts
 * on hearing it reads the change. While the subscription is down nothing is heard: `listening`
 * is false (the catalog then falls back to its TTL), and once it is back the listener is called
 * again, since a notice may have been sent in between.
 */
@Injectable()
export class RedisCampaignChangeNotices implements CampaignChangeNotices, OnModuleInit, OnModuleDestroy {
  private subscriber: Redis | undefined;
  private heard = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Redis does not prefix pub/sub channels; the key prefix keeps test runs and tenants apart. */
  private get channel(): string {
    return `${this.redis.options.keyPrefix ?? ''}campaigns:changed`;
  }

  get listening(): boolean {
    return this.heard;
  }

  listen(changed: () => void): void {
    this.listeners.push(changed);
  }

  async announce(): Promise<void> {
    await this.redis.publish(this.channel, String(Date.now()));
  }

  onModuleInit(): void {
    // Its own connection (a subscribed one can do nothing else), queueing while disconnected.
    const subscriber = this.redis.duplicate({ keyPrefix: '', enableOfflineQueue: true, autoResubscribe: false });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string) => {
      if (channel === this.channel) this.notify();
    });
    subscriber.on('close', () => {
      if (!this.heard) return;
      this.heard = false;
      this.notify();
    });
    // Subscribed again on every (re)connection; only once Redis confirms is a copy kept again.
    subscriber.on('ready', () => this.subscribe(subscriber));
    this.subscriber = subscriber;
  }

  private subscribe(subscriber: Redis): void {
    subscriber.subscribe(this.channel).then(
      () => {
        this.heard = true;
        this.notify();
      },
      (error: unknown) => this.logger.warn({ err: error }, 'campaign change notices not subscribed; the catalog reloads on its TTL'),
    );
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  onModuleDestroy(): void {
    this.heard = false;
    this.subscriber?.disconnect();
  }
}
