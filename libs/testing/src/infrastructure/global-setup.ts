import { containerRuntimeAvailable, startContainers } from './containers';
import { startIdentityProviderProcess, TEST_AUTH_ISSUER_VARIABLE } from './identity-provider-process';
import { ServerOrigin, serversFromEnvironment, startLocalServers } from './servers';

/**
 * Jest global setup of the integration suite. Servers are chosen in this order: URLs from the
 * environment; Docker via testcontainers when an engine answers; else the local servers of
 * deploy/local (Kafka from Maven Central jars, FerretDB, redis-server), started once per run.
 * The local OpenID Connect provider runs for the whole run, as `npm start` runs it: services
 * under test accept its tokens, and tests fetch real ones from it.
 */
export default async function globalSetup(): Promise<void> {
  process.env['TZ'] = 'UTC';
  let origin: ServerOrigin;
  let urls = serversFromEnvironment();
  if (urls) {
    origin = 'environment';
  } else if (process.env['O2O_TEST_SERVERS'] !== 'local' && (await containerRuntimeAvailable())) {
    const started = await startContainers();
    (globalThis as { __o2oContainers?: unknown }).__o2oContainers = started.containers;
    urls = started.urls;
    origin = 'testcontainers';
  } else {
    urls = startLocalServers();
    origin = 'local';
  }
  const identityProvider = await startIdentityProviderProcess();
  (globalThis as { __o2oIdentityProvider?: unknown }).__o2oIdentityProvider = identityProvider.child;
  Object.assign(process.env, urls, { O2O_TEST_SERVER_ORIGIN: origin, [TEST_AUTH_ISSUER_VARIABLE]: identityProvider.issuer });
  process.stderr.write(
    `\nintegration servers (${origin}): kafka ${urls.KAFKA_BROKERS}, mongo ${urls.MONGO_URL}, redis ${urls.REDIS_URL}, identity provider ${identityProvider.issuer}\n`,
  );
}
