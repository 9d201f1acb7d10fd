import { startService } from '@o2o/runtime';
import { assertRouteAccess, serviceUnderTest, testEnvironment, uniqueId } from '@o2o/testing';
import { loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';

/** Generated from the running service's routes: every route of identity-resolution refuses callers without its scope. */
describe('identity-resolution access control (every route, real tokens from the local identity provider)', () => {
  const run = uniqueId();
  const sut = serviceUnderTest({
    config: () => loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution')),
    start: (config) => startService(identityResolutionService, config, 0),
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
