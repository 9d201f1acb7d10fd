import { startService } from '@o2o/runtime';
import { assertRouteAccess, serviceUnderTest, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { ingestionService } from '../src/ingestion.service';

/** Generated from the running service's routes: every route of ingestion refuses callers without its scope. */
describe('ingestion access control (every route, real tokens from the local identity provider)', () => {
  const run = uniqueId();
  const sut = serviceUnderTest({
    config: () => loadIngestionConfig(testEnvironment(run, 'ingestion', { INGESTION_DEMO_SOURCES: 'true' })),
    start: (config) => startService(ingestionService, config, 0),
    joined: false,
    timeoutMs: 120000,
  });

  // docs/security.md lists every route with what it requires; a route missing there fails too.
  it(
    'answers 401 without credentials, 403 without the scope, and lets the right scope through',
    () =>
      assertRouteAccess(sut.service, {
        openRoutes: ['GET /openapi.json'],
        ownCredentials: { 'segment-write-key': { authorization: `Basic ${Buffer.from('demo-web-write-key:').toString('base64')}` } },
        params: { type: 'track' },
      }),
    120000,
  );
});
