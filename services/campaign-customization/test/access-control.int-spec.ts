import { startService } from '@o2o/runtime';
import { assertRouteAccess, serviceUnderTest, testEnvironment, uniqueId } from '@o2o/testing';
import { loadCampaignCustomizationConfig } from '../src/config/campaign-customization.config';
import { campaignCustomizationService } from '../src/campaign-customization.service';

/** Generated from the running service's routes: every route of campaign-customization refuses callers without its scope. */
describe('campaign-customization access control (every route, real tokens from the local identity provider)', () => {
  const run = uniqueId();
  const sut = serviceUnderTest({
    config: () => loadCampaignCustomizationConfig(testEnvironment(run, 'campaign-customization')),
    start: (config) => startService(campaignCustomizationService, config, 0),
    joined: false,
    timeoutMs: 120000,
  });

  // docs/security.md lists every route with what it requires; a route missing there fails too.
  it(
    'answers 401 without credentials, 403 without the scope, and lets the right scope through',
    () => assertRouteAccess(sut.service),
    120000,
  );
});
