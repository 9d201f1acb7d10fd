import { startService } from '@o2o/runtime';
import { describeRouteAccess, testEnvironment, uniqueId } from '@o2o/testing';
import { loadCampaignCustomizationConfig } from '../src/config/campaign-customization.config';
import { campaignCustomizationService } from '../src/campaign-customization.service';

/** Generated from the running service's routes: every route of campaign-customization refuses callers without its scope and is in its OpenAPI document. */
describeRouteAccess('campaign-customization', {
  config: () => loadCampaignCustomizationConfig(testEnvironment(uniqueId(), 'campaign-customization')),
  start: (config) => startService(campaignCustomizationService, config, 0),
  openRoutes: ['GET /openapi.json'],
});
