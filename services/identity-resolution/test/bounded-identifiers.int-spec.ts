import { topics } from '@o2o/contracts';
import { authHeader, expectEventually, uniqueId } from '@o2o/testing';
import { identityUnderTest, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const SNAPSHOTS = topic(topics.identitySnapshots.name);

interface Snapshot {
  data: { customerId: string; identifiers: Array<{ type: string; value: string }> };
}

/** Bounded customers: a customer keeps the anonymousIds first seen most recently (IDENTIFIERS_KEPT), older ones still resolve. */
describe('identifiers per customer are bounded (real Kafka, MongoDB, Redis)', () => {
  const t = identityUnderTest(run, { env: { IDENTIFIERS_KEPT: 'anonymousId=3' }, spyOn: () => [EVENTS, SNAPSHOTS] });
  const { sut } = t;

  it('retires the oldest anonymousIds beyond the limit: snapshots and lookups show the newest, every one still resolves, counted and logged', async () => {
    const userId = uniqueId('devices-');
    const devices = Array.from({ length: 6 }, (_, i) => `${userId}-device-${i}`);
    let customerId: string | undefined;
    for (const [i, anonymousId] of devices.entries()) {
      // Event time decides "first seen": one minute apart, in order.
      const event = receivedEvent({
        eventType: 'page',
        userId,
        anonymousId,
        timestamp: new Date(Date.UTC(2026, 5, 1, 12, i)).toISOString(),
      });
      await t.feed.send([{ event }]);
      customerId = await expectEventually(() => {
        const resolved = resolvedCustomer(sut.spy, EVENTS, event);
        if (resolved === undefined) throw new Error(`${event.id} not resolved yet`);
        return resolved;
      });
    }
    if (customerId === undefined) throw new Error('no customer');
    const newest = devices.slice(-3);

    // The latest snapshot names the userId and the three newest devices only.
    await expectEventually(() => {
      const mine = sut.spy.on(SNAPSHOTS).filter((m) => m.key === customerId);
      const latest = mine[mine.length - 1]?.value as Snapshot | undefined;
      expect(
        latest?.data.identifiers
          .filter((i) => i.type === 'anonymousId')
          .map((i) => i.value)
          .sort(),
      ).toEqual([...newest].sort());
      expect(latest?.data.identifiers).toContainEqual({ type: 'userId', value: userId });
    });

    const stored = await t.mongo
      .db(sut.config.MONGO_DB)
      .collection<{ _id: string; value: string; retired?: boolean }>('identifiers')
      .find({ customerId, type: 'anonymousId' })
      .toArray();
    expect(
      stored
        .filter((d) => d.retired === true)
        .map((d) => d.value)
        .sort(),
    ).toEqual(devices.slice(0, 3).sort());
    expect(stored).toHaveLength(devices.length);

    // A retired device still resolves to its customer; the answer lists the kept ones.
    const headers = await authHeader('agent');
    const lookup = await fetch(`${sut.service.url}/v1/identities/anonymousId/${encodeURIComponent(devices[0] ?? '')}`, { headers });
    expect(lookup.status).toBe(200);
    const body = (await lookup.json()) as { customerId: string; identifiers: Array<{ type: string; value: string }> };
    expect(body.customerId).toBe(customerId);
    expect(
      body.identifiers
        .filter((i) => i.type === 'anonymousId')
        .map((i) => i.value)
        .sort(),
    ).toEqual([...newest].sort());

    // An event from a retired device is resolved to the same customer, and retires nothing more.
    const back = receivedEvent({ eventType: 'page', anonymousId: devices[1] ?? '' });
    await t.feed.send([{ event: back }]);
    expect(await expectEventually(() => resolvedCustomer(sut.spy, EVENTS, back) ?? Promise.reject(new Error('not resolved yet')))).toBe(
      customerId,
    );

    const metrics = await (await fetch(`${sut.service.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^o2o_identity_identifiers_retired_total\{type="anonymousId"[^}]*\} 3$/m);
  }, 120000);
});
