import { runMain, startTelemetry } from '@o2o/observability';
import { startIngestion } from './app';
import { loadIngestionConfig } from './config/ingestion.config';

// No auto-instrumentation patches modules, so import order does not matter: the SDK only has to
// be started before the first span (HTTP and Kafka spans are made explicitly).
runMain(async () => {
  const config = loadIngestionConfig();
  startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? 'ingestion', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await startIngestion(config);
});
