import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { loadValueScoringConfig } from './config/value-scoring.config';
import { valueScoringService } from './value-scoring.service';

runMain(async () => {
  const config = loadValueScoringConfig();
  startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? valueScoringService.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await startService(valueScoringService, config);
});
