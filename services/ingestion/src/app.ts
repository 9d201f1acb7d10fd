import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectBatchTransport, KafkaBatchTransport } from '@o2o/kafka';
import { createLogger, createServiceApp, PlatformMetrics } from '@o2o/observability';
import { AppModule } from './app.module';
import { MAX_BATCH_BYTES } from './collect/domain/message-validator';
import type { IngestionConfig } from './config/ingestion.config';

export interface RunningService {
  app: NestFastifyApplication;
  transport: KafkaBatchTransport;
}

/** Builds and starts the service (HTTP listening, consumer joined); tests call this with their own config. */
export async function startIngestion(config: IngestionConfig, port = config.HTTP_PORT): Promise<RunningService> {
  const logger = createLogger({ service: 'ingestion', level: config.LOG_LEVEL });
  const metrics = new PlatformMetrics('ingestion');
  const app = await createServiceApp(AppModule.forRoot(config, logger, metrics), {
    logger,
    bodyLimit: 4 * MAX_BATCH_BYTES,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    bodyParser: false,
  });
  // Bodies reach the controller as text: it enforces Segment's limits and answers bad JSON
  // with its own error format (and analytics.js sends JSON as text/plain).
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const transport = connectBatchTransport(app, {
    groupId: config.KAFKA_GROUP_ID,
    fromBeginning: config.KAFKA_FROM_BEGINNING,
    retries: config.KAFKA_BATCH_RETRIES,
  });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, config.HTTP_HOST);
  return { app, transport };
}
