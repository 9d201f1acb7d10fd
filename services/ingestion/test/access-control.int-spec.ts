import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningService, startService } from '@o2o/runtime';
import { checkRouteAccess, repoRoot, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { ingestionService } from '../src/ingestion.service';

/** Generated from the running service's routes: every route of ingestion refuses callers without its scope. */
describe('ingestion access control (every route, real tokens from the local identity provider)', () => {
  const run = uniqueId();
  let service: RunningService;

  beforeAll(async () => {
    service = await startService(ingestionService, loadIngestionConfig(testEnvironment(run, 'ingestion', { INGESTION_DEMO_SOURCES: 'true' })), 0);
  }, 120000);

  afterAll(async () => {
    await service?.app.close();
  });

  // docs/security.md lists every route with what it requires; a route missing there fails too.
  const documentation = readFileSync(join(repoRoot(), 'docs', 'security.md'), 'utf8');

  it('answers 401 without credentials, 403 without the scope, and lets the right scope through', async () => {
    const { routes, problems } = await checkRouteAccess(service, { documentation, openRoutes: ['GET /openapi.json'], ownCredentials: { 'segment-write-key': { authorization: `Basic ${Buffer.from('demo-web-write-key:').toString('base64')}` } }, params: { type: 'track' } });
    expect(problems).toEqual([]);
    expect(routes.filter((r) => r.access?.kind === 'scope').length).toBeGreaterThan(0);
  }, 120000);
});
