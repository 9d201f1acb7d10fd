import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { ServiceDefinition } from '@o2o/runtime';
import { CollectModule } from './collect/collect.module';
import { SourcesModule } from './sources/sources.module';
import { MAX_BATCH_BYTES } from './collect/domain/message-validator';
import { SourceRepository } from './sources/infrastructure/source.repository';
import type { IngestionConfig } from './config/ingestion.config';
import { demoSources } from './demo-sources';
import { configureRequestBodies, trackingApiErrors } from './collect/interface/request-body';
import { TRACKING_API, trackingOperations } from './collect/interface/tracking.openapi';
import { SOURCES_ADMIN_OPERATIONS } from './sources/interface/sources-admin.openapi';
import { INGESTION_CONFIG } from './ingestion.tokens';
import { IntakeErasureParticipant } from './privacy/application/handle-erasure/intake-erasure.participant';

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

export const ingestionService: ServiceDefinition<IngestionConfig> = {
  name: 'ingestion',
  topics: [topics.ingestIntake, topics.ingestEvents, topics.ingestRejected],
  configToken: INGESTION_CONFIG,
  imports: () => [SourcesModule, CollectModule],
  providers: [DemoSourcesSeeder],
  privacy: { participant: IntakeErasureParticipant },
  // Bodies reach the controller as text (decompressed first): it enforces Segment's limits and
  // answers bad JSON with its own error format (and analytics.js sends JSON as text/plain).
  bodyParser: false,
  bodyLimit: 4 * MAX_BATCH_BYTES,
  errors: trackingApiErrors,
  api: () => ({ ...TRACKING_API, operations: [...trackingOperations(), ...SOURCES_ADMIN_OPERATIONS] }),
  configureHttp: (app, config) => {
    configureRequestBodies(app.getHttpAdapter().getInstance(), { maxCompressionRatio: config.MAX_COMPRESSION_RATIO });
    // Browsers post from the site's own origin (analytics.js); no cookies are involved, the write
    // key travels in the body or the Authorization header.
    app.enableCors({
      origin: '*',
      methods: ['POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'X-Retry-Count'],
      maxAge: 86400,
    });
  },
};
