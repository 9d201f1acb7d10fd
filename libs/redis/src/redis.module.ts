import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { LOGGER, Logger, ReadinessRegistry } from '@o2o/observability';

export const REDIS = Symbol('REDIS');

export interface RedisSettings {
  url: string;
  /** Prepended to every key (tests, tenants). */
  keyPrefix: string;
}

export function createRedis(settings: RedisSettings, logger: Logger): Redis {
  const client = new Redis(settings.url, {
    keyPrefix: settings.keyPrefix,
    lazyConnect: false,
    enableAutoPipelining: true,
    // Fail fast instead of queueing while disconnected: hot paths have a stated fallback for an
    // unavailable Redis, and a request must not hang waiting for it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  client.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  return client;
}

@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', async () => (await this.redis.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One ioredis client per process (auto-pipelined), closed after consumers stop. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(settings: RedisSettings): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS, useFactory: (logger: Logger) => createRedis(settings, logger), inject: [LOGGER] }, RedisLifecycle],
      exports: [REDIS],
    };
  }
}

export const InjectRedis = () => Inject(REDIS);
export type { Redis };
