import { startService } from '@o2o/runtime';
import { describeRouteAccess, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';

/** Generated from the running service's routes: every route of identity-resolution refuses callers without its scope and is in its OpenAPI document. */
describeRouteAccess('identity-resolution', {
  config: () => loadIdentityResolutionConfig(testEnvironment(uniqueId(), 'identity-resolution')),
  start: (config) => startService(identityResolutionService, config, 0),
  openRoutes: ['GET /openapi.json'],
});
