import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectLogger, type Logger } from '@o2o/observability';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import { ConsumerLag } from '../gateway/consumer-lag';
import { PlatformClient, platformServiceKeys, platformServiceNames } from '../gateway/platform.client';
import { historyOf, sumMetric, type OperationsHistory, type OperationsSample, type StageCounters } from './operations-sample';

/** How far back the screen looks, and the ring's length. */
const HISTORY_SECONDS = 3600;

/**
 * A ring buffer of the last hour of operations samples in Redis: one key per sampling slot
 * (`console:ops:<slot>`, expiring after the hour). Every console instance samples on the same
 * clock, and a slot is written with SET NX, so several instances store one sample per slot (and
 * the first to look at a slot takes it: the others skip Kafka and the services). Each sample is
 * the consumer lag per group and topic (Kafka's offsets) and each service's cumulative consumed
 * and produced counters (its management /metrics), from which rates are computed when read.
 */
@Injectable()
export class OperationsHistoryStore implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly consumerLag: ConsumerLag,
    private readonly platform: PlatformClient,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  private get interval(): number {
    return this.config.CONSOLE_OPS_SAMPLE_SECONDS;
  }

  private key(slot: number): string {
    return `console:ops:${slot}`;
  }

  onApplicationBootstrap(): void {
    if (this.interval === 0) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.sample()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'operations sample not taken'))
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.interval * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Takes this slot's sample unless an instance already did. */
  async sample(now = new Date()): Promise<boolean> {
    const slot = Math.floor(now.getTime() / (this.interval * 1000));
    if ((await this.redis.exists(this.key(slot))) === 1) return false;
    const [lag, stages] = await Promise.all([this.consumerLag.read().catch(() => undefined), this.stageCounters()]);
    const sample: OperationsSample = {
      at: new Date().toISOString(),
      ...(lag ? { lag: lag.map(({ group, topic, lag: behind }) => ({ group, topic, lag: behind })) } : {}),
      stages,
    };
    const taken = await this.redis.set(this.key(slot), JSON.stringify(sample), 'EX', HISTORY_SECONDS + this.interval, 'NX');
    return taken === 'OK';
  }

  /** The last hour, oldest first. */
  async history(now = new Date()): Promise<OperationsHistory> {
    const last = Math.floor(now.getTime() / (this.interval * 1000));
    const slots = Math.ceil(HISTORY_SECONDS / this.interval);
    const keys: string[] = [];
    for (let slot = last - slots + 1; slot <= last; slot++) keys.push(this.key(slot));
    const raw = keys.length > 0 ? await this.redis.mget(...keys) : [];
    const samples = raw.filter((r): r is string => typeof r === 'string').map((r) => JSON.parse(r) as OperationsSample);
    return historyOf(samples, this.interval);
  }

  private async stageCounters(): Promise<StageCounters[]> {
    const read = await Promise.all(
      platformServiceKeys.map(async (service): Promise<StageCounters | undefined> => {
        try {
          const response = await fetch(`${this.platform.managementOf(service)}/metrics`, { signal: AbortSignal.timeout(3000) });
          if (!response.ok) return undefined;
          const text = await response.text();
          return {
            service: platformServiceNames[service],
            consumed: sumMetric(text, 'o2o_kafka_events_consumed_total') ?? 0,
            produced: sumMetric(text, 'o2o_kafka_events_produced_total') ?? 0,
          };
        } catch {
          return undefined;
        }
      }),
    );
    return read.filter((s): s is StageCounters => s !== undefined);
  }
}
