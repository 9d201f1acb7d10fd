import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DATA_KEYS, DataKeySource, KAFKA, KafkaPublisher, TopicNames } from '@o2o/kafka';
import { PlatformMetrics } from '@o2o/observability';
import { INGESTION_CONFIG } from '../../ingestion.tokens';
import type { IngestionConfig } from '../../config/ingestion.config';

/**
 * The transactional id of this instance: the configured one, else one stable across restarts of
 * the same instance (host, port, and the instance's rank in its process: tests start several in
 * one), so a restarted ingestion fences the one it replaces and the broker aborts at once what
 * that one left open.
 */
export function transactionalIdOf(
  config: Pick<IngestionConfig, 'INGESTION_TRANSACTIONAL_ID' | 'KAFKA_TOPIC_PREFIX' | 'HTTP_PORT'>,
  host: string,
  rank: number,
): string {
  if (config.INGESTION_TRANSACTIONAL_ID)
    return rank === 0 ? config.INGESTION_TRANSACTIONAL_ID : `${config.INGESTION_TRANSACTIONAL_ID}:${rank}`;
  return `${config.KAFKA_TOPIC_PREFIX}ingestion:${host}:${config.HTTP_PORT}${rank === 0 ? '' : `:${rank}`}`;
}

/** Instances started in this process so far. */
let instancesInProcess = 0;

/**
 * Ingestion's writer of accepted events: every produce request is a Kafka transaction, committed
 * only while no request of it has been answered 503 (its deadline passed). What the caller was
 * told failed is therefore never on ingest.events for any consumer (all read committed), so its
 * retry is the only copy; the platform's shared publisher stays non-transactional.
 */
@Injectable()
export class EventLogPublisher extends KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KAFKA) kafka: Kafka,
    names: TopicNames,
    metrics: PlatformMetrics,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
    @Optional() @Inject(DATA_KEYS) dataKeys: DataKeySource | null | undefined,
  ) {
    super(kafka, names, metrics, {
      dataKeys: dataKeys ?? undefined,
      transactionalId: transactionalIdOf(config, hostname(), instancesInProcess++),
      transactionTimeoutMs: config.INGESTION_TRANSACTION_TIMEOUT_MS,
      transactionLingerMs: config.INGESTION_TRANSACTION_LINGER_MS,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.disconnect();
  }
}
