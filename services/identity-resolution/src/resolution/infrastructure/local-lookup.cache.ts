import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectLogger, Logger } from '@o2o/observability';
import { InjectRedis, Redis } from '@o2o/redis';
import { LRUCache } from 'lru-cache';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';

const INVALIDATION_CHANNEL = '__redis__:invalidate';

interface PendingRead {
  readers: number;
  /** An invalidation of the key arrived while the read was in flight: its answer may be stale. */
  invalidated: boolean;
}

/**
 * In-process copy of the Redis lookup answers, kept correct across instances by Redis itself:
 * a dedicated connection turns on client-side caching (CLIENT TRACKING, broadcast mode) for the
 * lookup keys, so Redis pushes the name of every lookup key that changes (written after a merge
 * or split, deleted by an erasure, expired), whichever instance or tool changed it, and the
 * entry is dropped here before the next request.
 *
 * Staleness: an entry is served only while the tracking connection is up; it is at most one
 * pub/sub delivery behind Redis (the push leaves Redis right after the write). When the
 * connection drops, everything is dropped and lookups go to Redis until tracking is on again.
 * A read racing an invalidation is not cached (the invalidation and the reply travel on two
 * connections). LOOKUP_LOCAL_CACHE_TTL_MS bounds an entry's life whatever happens.
 */
@Injectable()
export class LocalLookupCache implements OnModuleInit, OnApplicationShutdown {
  private readonly entries: LRUCache<string, string> | undefined;
  private readonly pending = new Map<string, PendingRead>();
  private subscriber: Redis | undefined;
  private tracking = false;
  /** Bumped whenever tracking starts or stops: reads begun in another epoch are not cached. */
  private epoch = 0;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(IDENTITY_CONFIG) config: IdentityResolutionConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.entries =
      config.LOOKUP_LOCAL_CACHE_MAX > 0
        ? new LRUCache({ max: config.LOOKUP_LOCAL_CACHE_MAX, ttl: config.LOOKUP_LOCAL_CACHE_TTL_MS })
        : undefined;
  }

  onModuleInit(): void {
    if (this.entries === undefined) return;
    const subscriber = this.redis.duplicate({
      keyPrefix: '',
      lazyConnect: true,
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      autoResubscribe: false,
    });
    this.subscriber = subscriber;
    subscriber.on('ready', () => void this.startTracking(subscriber));
    subscriber.on('close', () => this.stopTracking());
    subscriber.on('error', (error: Error) => this.logger.warn({ err: error }, 'lookup cache invalidation connection error'));
    subscriber.on('messageBuffer', (channel: Buffer, message: unknown) => {
      if (channel.toString() === INVALIDATION_CHANNEL) this.invalidate(message);
    });
    subscriber
      .connect()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'lookup cache invalidation connection failed; lookups read Redis'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTracking();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /**
   * The cached answer for a Redis key (without the key prefix), else the result of `read`,
   * remembered when it is safe to.
   */
  async get(key: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
    const entries = this.entries;
    if (entries === undefined || !this.tracking) return read();
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const epoch = this.epoch;
    const pending = this.pending.get(key) ?? { readers: 0, invalidated: false };
    pending.readers += 1;
    this.pending.set(key, pending);
    try {
      const value = await read();
      if (value !== undefined && !pending.invalidated && this.tracking && epoch === this.epoch) entries.set(key, value);
      return value;
    } finally {
      pending.readers -= 1;
      if (pending.readers === 0 && this.pending.get(key) === pending) this.pending.delete(key);
    }
  }

  /** The answer held in memory for a key, without reading Redis; undefined when not held or not tracking. */
  peek(key: string): string | undefined {
    return this.tracking ? this.entries?.get(key) : undefined;
  }

  /** Whether answers are being served from memory (tracking is on). */
  get active(): boolean {
    return this.tracking;
  }

  private async startTracking(subscriber: Redis): Promise<void> {
    try {
      const prefix = `${this.redis.options.keyPrefix ?? ''}idr:i:`;
      const id = await subscriber.client('ID');
      // Broadcast mode: Redis keeps no per-key state for us and reports every change under the prefix.
      await subscriber.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
      await subscriber.subscribe(INVALIDATION_CHANNEL);
      this.dropAll();
      this.tracking = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'lookup cache could not turn on Redis tracking; lookups read Redis');
      this.stopTracking();
    }
  }

  private stopTracking(): void {
    this.tracking = false;
    this.dropAll();
  }

  private dropAll(): void {
    this.epoch += 1;
    this.entries?.clear();
    for (const pending of this.pending.values()) pending.invalidated = true;
  }

  /** A push from Redis: the changed keys, or null when the whole database was flushed. */
  private invalidate(message: unknown): void {
    if (!Array.isArray(message)) {
      this.dropAll();
      return;
    }
    const prefix = this.redis.options.keyPrefix ?? '';
    for (const raw of message) {
      const full = Buffer.isBuffer(raw) ? raw.toString() : String(raw);
      const key = full.startsWith(prefix) ? full.slice(prefix.length) : full;
      this.entries?.delete(key);
      const pending = this.pending.get(key);
      if (pending !== undefined) pending.invalidated = true;
    }
  }
}
