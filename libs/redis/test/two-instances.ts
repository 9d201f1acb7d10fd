import { createLogger } from '@o2o/observability';
import { expectEventually, testEnvironment } from '@o2o/testing';
import { createRedis, Redis } from '../src';

/** Two Redis clients standing for two instances of a service, under the run's key prefix; read inside tests. */
export function twoInstances(
  run: string,
  name: string,
): { readonly redis: Redis; readonly otherInstance: Redis; readonly logger: ReturnType<typeof createLogger>; readonly keyPrefix: string } {
  const env = testEnvironment(run, name);
  const logger = createLogger({ service: `${name}-test`, level: 'error' });
  const settings = { url: env['REDIS_URL'] ?? '', keyPrefix: env['REDIS_KEY_PREFIX'] ?? '' };
  let clients: [Redis, Redis] | undefined;

  beforeAll(async () => {
    const created: [Redis, Redis] = [createRedis(settings, logger), createRedis(settings, logger)];
    clients = created;
    // Commands fail fast until a client is connected (no offline queue).
    await expectEventually(() => expect(created.map((c) => c.status)).toEqual(['ready', 'ready']));
  });

  afterAll(() => {
    for (const client of clients ?? []) client.disconnect();
  });

  const client = (index: 0 | 1): Redis => {
    if (!clients) throw new Error('the Redis clients are there inside tests only');
    return clients[index];
  };
  return {
    get redis() {
      return client(0);
    },
    get otherInstance() {
      return client(1);
    },
    logger,
    keyPrefix: settings.keyPrefix,
  };
}
