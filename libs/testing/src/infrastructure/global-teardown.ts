import type { ChildProcess } from 'node:child_process';
import type { StartedTestContainer } from 'testcontainers';
import { stopLocalServers } from './servers';

/** Stops what the global setup started: the identity provider and containers always, local servers in CI (kept for the next run elsewhere). */
export default async function globalTeardown(): Promise<void> {
  const containers = (globalThis as { __o2oContainers?: StartedTestContainer[] }).__o2oContainers ?? [];
  await Promise.all(containers.map((c) => c.stop()));
  (globalThis as { __o2oIdentityProvider?: ChildProcess }).__o2oIdentityProvider?.kill('SIGTERM');
  if (process.env['O2O_TEST_SERVER_ORIGIN'] === 'local' && process.env['CI'] === 'true') stopLocalServers();
}
