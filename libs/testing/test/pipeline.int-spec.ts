import { MongoClient } from 'mongodb';
import { authHeader, expectEventually, startServiceProcess, ServiceProcess, testEnvironment, TopicSpy, uniqueId } from '../src';

/**
 * The first end-to-end slice: an event accepted by ingestion's HTTP API passes through identity
 * resolution, value scoring and needs profiling, and campaign customization emits a segment
 * membership change for it — five separate processes, real Kafka, each writing its own database,
 * and one trace across every hop.
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
const topic = (name: string) => `${run}.${name}`;
const traceId = (traceparent: string | undefined) => traceparent?.split('-')[1];

describe('pipeline end to end (five processes, real servers)', () => {
  const running: ServiceProcess[] = [];
  let spy: TopicSpy;

  beforeAll(async () => {
    for (const name of services) {
      // value-scoring's scheduled tier walk republishes every customer's state under its own trace; racing the
      // purchase, it may be the message that enters the segment, so it is off here (its own specs cover it).
      const scheduler: Record<string, string> = name === 'value-scoring' ? { SCHEDULER_ENABLED: 'false' } : {};
      running.push(
        await startServiceProcess(name, testEnvironment(run, name, { INGESTION_DEMO_SOURCES: 'true', LOG_LEVEL: 'warn', ...scheduler })),
      );
    }
    spy = await TopicSpy.start((process.env['KAFKA_BROKERS'] ?? '').split(','), [
      topic('ingest.events.v1'),
      topic('identity.events.v1'),
      topic('value.scores.v1'),
      topic('needs.profiles.v1'),
      topic('segments.membership.v1'),
    ]);
  }, 180000);

  afterAll(async () => {
    await spy?.stop();
    const codes = await Promise.all(running.map((p) => p.stop()));
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  it('turns a purchase into a segment entry, one trace from HTTP to the membership topic', async () => {
    const ingestion = running[0];
    if (!ingestion) throw new Error('ingestion not started');
    const userId = uniqueId('e2e-user-');
    const orderMessageId = uniqueId('order-');
    const post = (path: string, body: unknown) =>
      fetch(`${ingestion.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('demo-web-write-key:').toString('base64')}` },
        body: JSON.stringify(body),
      });
    expect((await post('/v1/identify', { userId, traits: { email: `${userId}@example.com`, firstName: 'Ada' } })).status).toBe(200);
    expect(
      (
        await post('/v1/track', {
          userId,
          event: 'Order Completed',
          messageId: orderMessageId,
          properties: { order_id: uniqueId('o-'), revenue: 120, products: [{ category: 'books', price: 120, quantity: 1 }] },
        })
      ).status,
    ).toBe(200);

    const membership = await expectEventually(
      () => {
        const entered = spy
          .on(topic('segments.membership.v1'))
          .find((m) => (m.value as { data: { change: string } }).data.change === 'entered');
        if (!entered) throw new Error('no membership change yet');
        return entered;
      },
      { timeoutMs: 60000 },
    );
    const customerId = (membership.value as { data: { customerId: string } }).data.customerId;
    expect(membership.key).toBe(customerId);

    // The spy reads each topic's partitions on their own, so seeing the membership change says
    // nothing of the events before it: wait until it has read everything written so far. The entry
    // may be for either default segment (value tier or needs stage), so the other service's state
    // may still be on its way.
    await spy.waitUntilCaughtUp();
    const received = spy
      .on(topic('ingest.events.v1'))
      .find((m) => (m.value as { data: { messageId: string } }).data.messageId === orderMessageId);
    const resolved = spy
      .on(topic('identity.events.v1'))
      .find((m) => (m.value as { data: { messageId: string } }).data.messageId === orderMessageId);
    expect(received?.key).toBe(userId);
    expect(resolved?.key).toBe(customerId);
    await expectEventually(() => {
      expect(spy.on(topic('value.scores.v1')).some((m) => m.key === customerId)).toBe(true);
      expect(spy.on(topic('needs.profiles.v1')).some((m) => m.key === customerId)).toBe(true);
    });

    // One trace: the trace id set by ingestion's request span reaches the membership topic.
    const origin = traceId(received?.headers['traceparent']);
    expect(origin).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId(resolved?.headers['traceparent'])).toBe(origin);
    const traces = new Set(
      spy
        .on(topic('segments.membership.v1'))
        .filter((m) => m.key === customerId)
        .map((m) => traceId(m.headers['traceparent'])),
    );
    const identifyTrace = traceId(
      spy.on(topic('ingest.events.v1')).find((m) => m.key === userId && m !== received)?.headers['traceparent'],
    );
    expect([...traces].some((t) => t === origin || t === identifyTrace)).toBe(true);

    // An agent with a real token from the local identity provider finds the customer everywhere.
    const [, identity, value, needs] = running;
    if (!identity || !value || !needs) throw new Error('services not started');
    const agent = await authHeader('agent');
    const lookupUrl = `${identity.url}/v1/identities/userId/${encodeURIComponent(userId)}`;
    expect((await fetch(lookupUrl)).status).toBe(401);
    const lookup = await fetch(lookupUrl, { headers: agent });
    expect(lookup.status).toBe(200);
    expect(((await lookup.json()) as { customerId: string }).customerId).toBe(customerId);
    await expectEventually(
      async () => expect((await fetch(`${value.url}/v1/customers/${customerId}/value`, { headers: agent })).status).toBe(200),
      { timeoutMs: 30000 },
    );
    await expectEventually(async () =>
      expect((await fetch(`${needs.url}/v1/customers/${customerId}/needs`, { headers: agent })).status).toBe(200),
    );
    expect((await fetch(`${needs.url}/v1/customers/${customerId}/needs`, { headers: await authHeader('marketer') })).status).toBe(403);
  }, 120000);

  it('left each service its own database', async () => {
    const client = await MongoClient.connect(process.env['MONGO_URL'] ?? '');
    try {
      for (const name of services) {
        const db = client.db(`test_${run}_${name.replace(/-/g, '_')}`);
        let documents = 0;
        for (const c of await db.listCollections().toArray()) documents += await db.collection(c.name).countDocuments();
        expect({ name, stored: documents > 0 }).toEqual({ name, stored: true });
      }
    } finally {
      await client.close();
    }
  });
});
