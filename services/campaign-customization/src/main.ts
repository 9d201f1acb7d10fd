import { runMain, startTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { campaignCustomizationService } from './campaign-customization.service';
import { loadCampaignCustomizationConfig } from './config/campaign-customization.config';

runMain(async () => {
  const config = loadCampaignCustomizationConfig();
  startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? campaignCustomizationService.name,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  await startService(campaignCustomizationService, config);
});
