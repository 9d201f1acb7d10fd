import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { KafkaModule } from '@o2o/kafka';
import { MongoModule } from '@o2o/mongo';
import { Logger, ObservabilityModule, PlatformMetrics } from '@o2o/observability';
import { RedisModule } from '@o2o/redis';
import { CollectModule } from './collect/collect.module';
import { SourceRepository } from './collect/infrastructure/source.repository';
import type { IngestionConfig } from './config/ingestion.config';
import { demoSources } from './demo-sources';
import { INGESTION_CONFIG } from './ingestion.tokens';

@Injectable()
class DemoSourcesSeeder implements OnApplicationBootstrap {
  constructor(
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    private readonly sources: SourceRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.INGESTION_DEMO_SOURCES) return;
    for (const s of demoSources) await this.sources.ensure(s.id, s.name, s.channel, s.writeKey);
  }
}

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig, logger: Logger, metrics: PlatformMetrics): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ObservabilityModule.forRoot({ logger, metrics }),
        KafkaModule.forRoot({
          settings: {
            brokers: config.KAFKA_BROKERS,
            clientId: config.KAFKA_CLIENT_ID ?? 'ingestion',
            topicPrefix: config.KAFKA_TOPIC_PREFIX,
            topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
            replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          },
          topics: [topics.ingestIntake, topics.ingestEvents, topics.ingestRejected],
          consumerGroups: [config.KAFKA_GROUP_ID],
        }),
        MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB }),
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }),
        CollectModule,
      ],
      providers: [{ provide: INGESTION_CONFIG, useValue: config }, DemoSourcesSeeder],
      exports: [INGESTION_CONFIG],
    };
  }
}
