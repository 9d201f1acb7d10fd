import { DynamicModule, Global, Inject, Injectable, INestApplication, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { TopicDefinition } from '@o2o/contracts';
import { LOGGER, Logger, PlatformMetrics, ReadinessRegistry } from '@o2o/observability';
import { BatchTransportOptions, KafkaBatchTransport } from './batch-transport';
import { createKafka } from './client';
import { DATA_KEYS, DataKeySource } from './data-keys';
import { ExactlyOnceBatches, ExactlyOnceOptions } from './exactly-once';
import { KafkaSettings } from './kafka-settings';
import { KafkaPublisher } from './publisher';
import { ensureTopics, topicSpecs } from './topic-admin';
import { TopicNames } from './topic-names';

export const KAFKA = Symbol('KAFKA');
const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface KafkaModuleOptions {
  settings: KafkaSettings;
  /** Topics this service produces to or consumes from; created at boot when missing. */
  topics: TopicDefinition[];
  /** Consumer groups of this service; their dead-letter topics are created at boot. */
  consumerGroups: string[];
}

@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private admin: Admin | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly names: TopicNames,
    private readonly publisher: KafkaPublisher,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { settings, topics, consumerGroups } = this.options;
    await ensureTopics(this.kafka, topicSpecs(this.names, topics, consumerGroups), settings.topicPartitions, settings.replicationFactor, {
      onRetry: (error, attempt) => this.logger.warn({ err: error, attempt }, 'topics not ready yet; retrying'),
    });
    await this.publisher.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.readiness.register('kafka', async () => {
      if (!this.admin) return false;
      const cluster = await this.admin.describeCluster();
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    });
  }

  // Runs after Nest closed HTTP and the consumers, so the last batch could still publish.
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}

/** Kafka client, topic creation, the acks=all publisher and the Kafka readiness check. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: KAFKA, useFactory: (logger: Logger) => createKafka(options.settings, logger), inject: [LOGGER] },
        { provide: TopicNames, useValue: new TopicNames(options.settings.topicPrefix) },
        {
          provide: KafkaPublisher,
          useFactory: (kafka: Kafka, names: TopicNames, metrics: PlatformMetrics, dataKeys: DataKeySource | null | undefined) =>
            new KafkaPublisher(kafka, names, metrics, { dataKeys: dataKeys ?? undefined }),
          inject: [KAFKA, TopicNames, PlatformMetrics, { token: DATA_KEYS, optional: true }],
        },
        KafkaLifecycle,
      ],
      exports: [KAFKA, TopicNames, KafkaPublisher],
    };
  }
}

export interface ConsumerSettings {
  groupId: string;
  fromBeginning: boolean;
  retries: number;
  partitionsConsumedConcurrently?: number;
  maxBatchMessages?: number;
  maxBatchBytes?: number;
  concurrentTopics?: boolean;
  skipSubjects?: BatchTransportOptions['skipSubjects'];
  /** Data keys to open sealed messages and seal dead letters with (libs/runtime provides DATA_KEYS). */
  dataKeys?: DataKeySource | null | undefined;
  /** Handler calls in Kafka transactions with their offsets (exactly-once.ts), under this instance's transactional id. */
  exactlyOnce?: ExactlyOnceOptions | undefined;
}

/**
 * Attaches a batch consumer for every @BatchHandler in the app's controllers. Call before
 * app.init(); the consumer starts with app.startAllMicroservices().
 */
export function connectBatchTransport(app: INestApplication, settings: ConsumerSettings): KafkaBatchTransport {
  const transport = new KafkaBatchTransport({
    kafka: app.get<Kafka>(KAFKA),
    names: app.get(TopicNames),
    publisher: app.get(KafkaPublisher),
    metrics: app.get(PlatformMetrics),
    logger: app.get<Logger>(LOGGER),
    groupId: settings.groupId,
    fromBeginning: settings.fromBeginning,
    retries: settings.retries,
    partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    maxBatchMessages: settings.maxBatchMessages,
    maxBatchBytes: settings.maxBatchBytes,
    concurrentTopics: settings.concurrentTopics,
    skipSubjects: settings.skipSubjects,
    dataKeys: settings.dataKeys ?? undefined,
    exactlyOnce: settings.exactlyOnce
      ? new ExactlyOnceBatches(app.get<Kafka>(KAFKA), settings.exactlyOnce, app.get<Logger>(LOGGER))
      : undefined,
  });
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  app.get(ReadinessRegistry).register(`consumer:${settings.groupId}`, async () => transport.isHealthy());
  return transport;
}
