import { expectEventually, uniqueId } from '@o2o/testing';
import { LeaseLock } from '../src';
import { twoInstances } from './two-instances';

/** The lease every background job runs under, against a real Redis and two clients standing for two instances. */
describe('LeaseLock (real Redis)', () => {
  const run = uniqueId();
  const clients = twoInstances(run, 'lease-lock');

  it('lets one instance hold the lease at a time, and the other take it once released', async () => {
    const mine = new LeaseLock(clients.redis, `${run}:one-at-a-time`);
    const theirs = new LeaseLock(clients.otherInstance, `${run}:one-at-a-time`);
    const held = await mine.hold(10_000);
    expect(held).toBeDefined();
    expect(await theirs.hold(10_000)).toBeUndefined();
    expect(await theirs.holder()).toBe(held?.token);
    await held?.release();
    const taken = await theirs.hold(10_000);
    expect(taken).toBeDefined();
    await taken?.release();
    expect(await mine.holder()).toBeNull();
  });

  it('keeps a held lease past its time to live while the holder works', async () => {
    const lock = new LeaseLock(clients.redis, `${run}:extended`);
    const held = await lock.hold(1_500);
    const token = held?.token;
    // Outlive several times to live: only the background extension keeps the key.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await lock.holder()).toBe(token);
    expect(held?.lost).toBe(false);
    await held?.release();
  });

  it('notices a lease lost to another instance, and never releases the lease that instance took', async () => {
    const key = `${run}:lost`;
    const lock = new LeaseLock(clients.redis, key);
    const held = await lock.hold(900);
    // The lease expires and another instance takes it (as after a long pause of the holder).
    await clients.redis.del(key);
    const theirs = await new LeaseLock(clients.otherInstance, key).hold(10_000);
    await expectEventually(() => expect(held?.lost).toBe(true));
    await held?.release();
    expect(await lock.holder()).toBe(theirs?.token);
    await theirs?.release();
  });

  it('runs work under the lease and skips it while another instance holds it', async () => {
    const key = `${run}:with-lease`;
    const lock = new LeaseLock(clients.redis, key);
    const other = new LeaseLock(clients.otherInstance, key);
    const seen = await lock.withLease(10_000, async (lease) => ({ token: lease.token, holder: await other.holder() }));
    expect(seen?.holder).toBe(seen?.token);
    expect(await lock.holder()).toBeNull();
    const blocker = await other.hold(10_000);
    let ran = false;
    expect(
      await lock.withLease(10_000, async () => {
        ran = true;
      }),
    ).toBeUndefined();
    expect(ran).toBe(false);
    await blocker?.release();
  });

  it('releases the lease when the work fails', async () => {
    const lock = new LeaseLock(clients.redis, `${run}:failing`);
    await expect(lock.withLease(10_000, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.holder()).toBeNull();
  });
});
