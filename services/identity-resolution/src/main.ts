import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { loadIdentityResolutionConfig } from './config/identity-resolution.config';
import { identityResolutionService } from './identity-resolution.service';

runMain(async () => {
  const config = loadIdentityResolutionConfig();
  startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? identityResolutionService.name,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  await startService(identityResolutionService, config);
});
