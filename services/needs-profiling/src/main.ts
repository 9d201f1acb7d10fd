import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { loadNeedsProfilingConfig } from './config/needs-profiling.config';
import { needsProfilingService } from './needs-profiling.service';

runMain(async () => {
  const config = loadNeedsProfilingConfig();
  startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? needsProfilingService.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await startService(needsProfilingService, config);
});
