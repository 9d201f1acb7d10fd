import { startService } from '@o2o/runtime';
import { describeRouteAccess, testEnvironment, uniqueId } from '@o2o/testing';
import { loadNeedsProfilingConfig } from '../src/config/needs-profiling.config';
import { needsProfilingService } from '../src/needs-profiling.service';

/** Generated from the running service's routes: every route of needs-profiling refuses callers without its scope and is in its OpenAPI document. */
describeRouteAccess('needs-profiling', {
  config: () => loadNeedsProfilingConfig(testEnvironment(uniqueId(), 'needs-profiling')),
  start: (config) => startService(needsProfilingService, config, 0),
  openRoutes: ['GET /openapi.json'],
});
