import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { loadIngestionConfig } from './config/ingestion.config';
import { ingestionService } from './ingestion.service';

runMain(async () => {
  const config = loadIngestionConfig();
  startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? ingestionService.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await startService(ingestionService, config);
});
