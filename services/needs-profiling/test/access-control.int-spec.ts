import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningService, startService } from '@o2o/runtime';
import { checkRouteAccess, repoRoot, testEnvironment, uniqueId } from '@o2o/testing';
import { loadNeedsProfilingConfig } from '../src/config/needs-profiling.config';
import { needsProfilingService } from '../src/needs-profiling.service';

/** Generated from the running service's routes: every route of needs-profiling refuses callers without its scope. */
describe('needs-profiling access control (every route, real tokens from the local identity provider)', () => {
  const run = uniqueId();
  let service: RunningService;

  beforeAll(async () => {
    service = await startService(needsProfilingService, loadNeedsProfilingConfig(testEnvironment(run, 'needs-profiling')), 0);
  }, 120000);

  afterAll(async () => {
    await service?.app.close();
  });

  // docs/security.md lists every route with what it requires; a route missing there fails too.
  const documentation = readFileSync(join(repoRoot(), 'docs', 'security.md'), 'utf8');

  it('answers 401 without credentials, 403 without the scope, and lets the right scope through', async () => {
    const { routes, problems } = await checkRouteAccess(service, { documentation });
    expect(problems).toEqual([]);
    expect(routes.filter((r) => r.access?.kind === 'scope').length).toBeGreaterThan(0);
  }, 120000);
});
