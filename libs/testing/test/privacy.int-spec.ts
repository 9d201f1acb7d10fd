import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import {
  authHeader,
  expectEventually,
  ReadPositions,
  startServiceProcess,
  ServiceProcess,
  testEnvironment,
  TopicSpy,
  uniqueId,
  waitForConsumerGroups,
} from '../src';

/**
 * Privacy across all five services, as separate processes on real servers: consent withdrawal
 * takes the customer out of segments, an export gathers every service's data, and an erasure
 * leaves no trace in any database, Redis or compacted topic — and survives a replay.
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
const topic = (name: string) => `${run}.${name}`;
const brokers = () => (process.env['KAFKA_BROKERS'] ?? '').split(',');
const databaseOf = (service: string) => `test_${run}_${service.replace(/-/g, '_')}`;

interface Membership {
  customerId: string;
  segmentId: string;
  change: 'entered' | 'exited';
}

describe('privacy across every service (five processes, real servers)', () => {
  const running = new Map<string, ServiceProcess>();
  let spy: TopicSpy;
  const userId = uniqueId('privacy-user-');
  const email = `${userId}@demo-mail.net`;
  let customerId = '';

  const url = (service: string) => {
    const p = running.get(service);
    if (!p) throw new Error(`${service} not running`);
    return p.url;
  };
  const send = (path: string, body: unknown) =>
    fetch(`${url('ingestion')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('demo-web-write-key:').toString('base64')}` },
      body: JSON.stringify(body),
    });
  const memberships = () => spy.on(topic('segments.membership.v1')).map((m) => (m.value as { data: Membership }).data);

  beforeAll(async () => {
    for (const name of services) {
      running.set(name, await startServiceProcess(name, testEnvironment(run, name, { INGESTION_DEMO_SOURCES: 'true' })));
    }
    spy = await TopicSpy.start(brokers(), [topic('segments.membership.v1'), topic('identity.events.v1')]);
    expect((await send('/v1/identify', { userId, traits: { email, firstName: 'Grace', phone: '+49 30 5550123' } })).status).toBe(200);
    expect(
      (await send('/v1/track', { userId, event: 'Consent Updated', properties: { purpose: 'marketing', channel: '*', granted: true } }))
        .status,
    ).toBe(200);
    expect(
      (
        await send('/v1/track', {
          userId,
          event: 'Order Completed',
          properties: { order_id: uniqueId('o-'), revenue: 80, products: [{ category: 'garden', price: 80 }] },
        })
      ).status,
    ).toBe(200);
    const resolved = await expectEventually(
      () => {
        const found = spy.on(topic('identity.events.v1')).find((m) => (m.value as { data: { userId?: string } }).data.userId === userId);
        if (!found) throw new Error('not resolved yet');
        return found;
      },
      { timeoutMs: 60000 },
    );
    customerId = resolved.key ?? '';
    await expectEventually(() => expect(memberships().some((m) => m.customerId === customerId && m.change === 'entered')).toBe(true), {
      timeoutMs: 60000,
    });
  }, 240000);

  afterAll(async () => {
    await spy?.stop();
    await Promise.all([...running.values()].map((p) => p.stop()));
  });

  it('takes the customer out of marketing segments as soon as consent is withdrawn', async () => {
    const entered = new Set(
      memberships()
        .filter((m) => m.customerId === customerId && m.change === 'entered')
        .map((m) => m.segmentId),
    );
    expect(
      (await send('/v1/track', { userId, event: 'Consent Updated', properties: { purpose: 'marketing', channel: '*', granted: false } }))
        .status,
    ).toBe(200);
    await expectEventually(
      () => {
        const exited = new Set(
          memberships()
            .filter((m) => m.customerId === customerId && m.change === 'exited')
            .map((m) => m.segmentId),
        );
        expect([...entered].every((s) => exited.has(s))).toBe(true);
      },
      { timeoutMs: 60000 },
    );
  }, 90000);

  it('exports what every service holds about the customer, found by e-mail', async () => {
    const exportUrl = `${url('identity-resolution')}/v1/privacy/customers/email/${encodeURIComponent(email)}/export`;
    // Only a privacy officer may read it: an agent's real token is refused.
    expect((await fetch(exportUrl, { headers: await authHeader('agent') })).status).toBe(403);
    const response = await fetch(exportUrl, { headers: await authHeader('privacy-officer') });
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      customerId: string;
      services: Record<string, Record<string, unknown>>;
      missing: string[];
    };
    expect(document.customerId).toBe(customerId);
    expect(document.missing).toEqual([]);
    expect(Object.keys(document.services).sort()).toEqual([...services].sort());
    expect(JSON.stringify(document.services['identity-resolution'])).toContain(email);
    expect(JSON.stringify(document.services['value-scoring'])).toContain(customerId);
    expect(JSON.stringify(document.services['needs-profiling'])).toContain(customerId);
    expect(JSON.stringify(document.services['campaign-customization'])).toContain(customerId);
  }, 60000);

  it('erases the customer everywhere, tombstones the compacted topics, and a replay does not bring it back', async () => {
    const erasureUrl = `${url('identity-resolution')}/v1/privacy/customers/userId/${encodeURIComponent(userId)}/erasure`;
    expect((await fetch(erasureUrl, { method: 'POST' })).status).toBe(401);
    const started = await fetch(erasureUrl, { method: 'POST', headers: await authHeader('privacy-officer') });
    expect(started.status).toBe(202);
    const { requestId } = (await started.json()) as { requestId: string };
    const status = await expectEventually(
      async () => {
        const body = (await (
          await fetch(`${url('identity-resolution')}/v1/privacy/requests/${requestId}`, { headers: await authHeader('privacy-officer') })
        ).json()) as { status: string; services: Record<string, unknown>; waitingFor: string[] };
        expect({ status: body.status, waitingFor: body.waitingFor }).toEqual({ status: 'completed', waitingFor: [] });
        return body;
      },
      { timeoutMs: 60000, intervalMs: 500 },
    );
    expect(Object.values(status.services).every((ack) => ack !== null)).toBe(true);

    // A late event for the erased identifier (policy: drop) and a replay of every input topic by
    // fresh consumer groups must not recreate anything.
    expect((await send('/v1/track', { userId, event: 'Product Viewed', properties: { category: 'garden' } })).status).toBe(200);
    const replayers: ServiceProcess[] = [];
    for (const name of ['identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization']) {
      replayers.push(
        await startServiceProcess(name, testEnvironment(run, name, { KAFKA_GROUP_ID: `${name}-replay`, KAFKA_FROM_BEGINNING: 'true' })),
      );
    }
    // Every replaying group (and every live one, which got the late event) read its topics to the end.
    const groups = [
      ...services.map((name) => `${run}.${name}`),
      ...['identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'].map((name) => `${run}.${name}-replay`),
    ];
    await waitForConsumerGroups(brokers(), groups, { timeoutMs: 180000 });
    await Promise.all(replayers.map((p) => p.stop()));

    const traces = [customerId, userId, email, 'Grace', '5550123'];
    const mongo = await MongoClient.connect(process.env['MONGO_URL'] ?? '');
    try {
      for (const service of services) {
        const db = mongo.db(databaseOf(service));
        for (const collection of await db.listCollections().toArray()) {
          const documents = await db.collection(collection.name).find({}).toArray();
          const text = JSON.stringify(documents);
          for (const trace of traces)
            expect({ service, collection: collection.name, trace, found: text.includes(trace) }).toEqual({
              service,
              collection: collection.name,
              trace,
              found: false,
            });
        }
      }
    } finally {
      await mongo.close();
    }

    const redis = new Redis(process.env['REDIS_URL'] ?? '');
    try {
      const keys = await redis.keys(`${run}:*`);
      for (const key of keys) for (const trace of traces) expect({ key, found: key.includes(trace) }).toEqual({ key, found: false });
      for (const key of keys.filter((k) => !k.includes('dedup'))) {
        const type = await redis.type(key);
        const dump =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : '';
        for (const trace of traces) expect({ key, found: (dump ?? '').includes(trace) }).toEqual({ key, found: false });
      }
    } finally {
      redis.disconnect();
    }

    // Compacted topics: folding each from the beginning leaves no state for the customer.
    const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING });
    for (const name of ['identity.snapshots.v1', 'value.scores.v1', 'needs.profiles.v1']) {
      const latest = new Map<string, string | null>();
      const consumer = kafka.consumer({ groupId: uniqueId('scan-') });
      await consumer.connect();
      await consumer.subscribe({ topic: topic(name), fromBeginning: true });
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic(name));
      await admin.disconnect();
      // Read to the end as of now, the final commit markers of transactional writers included.
      const positions = new ReadPositions(consumer);
      const read = () => ends.every((e) => Number(e.high) <= 0 || positions.of(topic(name), e.partition) >= Number(e.high));
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (!read()) return;
          clearInterval(check);
          resolve();
        }, 100);
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key) latest.set(message.key.toString(), message.value ? message.value.toString() : null);
          },
        });
      });
      await consumer.disconnect();
      expect({ topic: name, state: latest.get(customerId) ?? null }).toEqual({ topic: name, state: null });
      for (const [, value] of latest) if (value) expect(value.includes(email)).toBe(false);
    }
  }, 180000);
});
