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
  /** Written before tracking starts, so no invalidation of it is in flight when a test first caches it. */
  const probe = 'idr:i:email:probe@demo-mail.net';

  const readThrough = (key: string) => async () => {
    reads += 1;
    return (await redis.get(key)) ?? undefined;
  };

  beforeAll(async () => {
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution'));
    const logger = createLogger({ service: 'local-lookup-cache-test', level: 'warn' });
    redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }, logger);
    otherInstance = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }, logger);
    // Commands fail fast until a client is connected (no offline queue).
    await expectEventually(() => expect(otherInstance.status).toBe('ready'));
    await otherInstance.set(probe, '{"customerId":"cus_probe"}');
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
    expect(await cache.get(probe, async () => (await redis.get(probe)) ?? undefined)).toBe('{"customerId":"cus_probe"}');
    expect(cache.peek(probe)).toBe('{"customerId":"cus_probe"}');
    // The read returns the old value, but the key is rewritten (and the invalidation arrives)
    // before the reply is handled: what was read must not be remembered.
    const racing = async (): Promise<string | undefined> => {
      const old = (await redis.get(key)) ?? undefined;
      await otherInstance.set(key, '{"customerId":"cus_new"}');
      await otherInstance.set(probe, '{"customerId":"cus_probe2"}');
      // Invalidations come on one connection in the order of the writes: once the probe's entry
      // is gone, the key's invalidation has been handled too (a fixed sleep was not enough when
      // the test process was starved: its timer ran before the push was read).
      await expectEventually(() => expect(cache.peek(probe)).toBeUndefined());
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
