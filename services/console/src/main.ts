import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { loadConsoleConfig } from './config/console.config';
import { consoleService } from './console.service';

runMain(async () => {
  const config = loadConsoleConfig();
  startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? consoleService.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const running = await startService(consoleService, config);
  running.logger.info({ url: config.CONSOLE_PUBLIC_URL }, `console: ${config.CONSOLE_PUBLIC_URL}`);
});
