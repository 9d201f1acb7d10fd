import { createLogger } from '@o2o/observability';
import { createRedis, Redis } from '@o2o/redis';
import { expectEventually, testEnvironment, uniqueId } from '@o2o/testing';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { LocalLookupCache } from '../src/resolution/infrastructure/local-lookup.cache';

/**
 * The in-process lookup cache against a real Redis: what another instance (or an erasure, or
 * an expiry) changes in Redis must never be answered from memory afterwards.
 */
describe('LocalLookupCache (real Redis)', () => {
  const run = uniqueId();
  let config: IdentityResolutionConfig;
  let redis: Redis;
  let otherInstance: Redis;
  let cache: LocalLookupCache;
  let reads: number;

  const readThrough = (key: string) => async () => {
    reads += 1;
    return (await redis.get(key)) ?? undefined;
  };

  beforeAll(async () => {
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution'));
    const logger = createLogger({ service: 'local-lookup-cache-test', level: 'warn' });
    redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }, logger);
    otherInstance = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }, logger);
    cache = new LocalLookupCache(redis, config, logger);
    cache.onModuleInit();
    await expectEventually(() => expect(cache.active).toBe(true));
  });

  afterAll(async () => {
    await cache?.onApplicationShutdown();
    redis?.disconnect();
    otherInstance?.disconnect();
  });

  beforeEach(() => {
    reads = 0;
  });

  it('answers a repeated lookup from memory', async () => {
    await otherInstance.set('idr:i:email:a@demo-mail.net', '{"customerId":"cus_a"}');
    expect(await cache.get('idr:i:email:a@demo-mail.net', readThrough('idr:i:email:a@demo-mail.net'))).toBe('{"customerId":"cus_a"}');
    expect(await cache.get('idr:i:email:a@demo-mail.net', readThrough('idr:i:email:a@demo-mail.net'))).toBe('{"customerId":"cus_a"}');
    expect(reads).toBe(1);
  });

  it('drops an answer another instance rewrites (a merge) and reads the new one', async () => {
    const key = 'idr:i:email:b@demo-mail.net';
    await otherInstance.set(key, '{"customerId":"cus_b"}');
    expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_b"}');
    await otherInstance.set(key, '{"customerId":"cus_survivor"}');
    await expectEventually(async () => expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_survivor"}'));
  });

  it('drops an answer another instance deletes (an erasure)', async () => {
    const key = 'idr:i:email:c@demo-mail.net';
    await otherInstance.set(key, '{"customerId":"cus_c"}');
    expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_c"}');
    await otherInstance.del(key);
    await expectEventually(async () => expect(await cache.get(key, readThrough(key))).toBeUndefined());
  });

  it('does not keep an answer whose key changed while it was being read', async () => {
    const key = 'idr:i:email:d@demo-mail.net';
    await otherInstance.set(key, '{"customerId":"cus_old"}');
    // The read returns the old value, but the key is rewritten (and the invalidation arrives)
    // before the reply is handled: what was read must not be remembered.
    const racing = async (): Promise<string | undefined> => {
      const old = (await redis.get(key)) ?? undefined;
      await otherInstance.set(key, '{"customerId":"cus_new"}');
      await expectEventually(async () => expect(await redis.get(key)).toBe('{"customerId":"cus_new"}'));
      // Give the invalidation push time to be handled before the read completes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return old;
    };
    expect(await cache.get(key, racing)).toBe('{"customerId":"cus_old"}');
    expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_new"}');
    expect(reads).toBe(1);
  });

  it('ignores keys outside the lookup prefix and other prefixes', async () => {
    const key = 'idr:i:email:e@demo-mail.net';
    await otherInstance.set(key, '{"customerId":"cus_e"}');
    expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_e"}');
    await otherInstance.set('idr:c:cus_e', 'unrelated');
    expect(await cache.get(key, readThrough(key))).toBe('{"customerId":"cus_e"}');
    expect(reads).toBe(1);
  });
});
