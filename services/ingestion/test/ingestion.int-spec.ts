import { deadLetterTopicName, topics } from '@o2o/contracts';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { expectEventually, testEnvironment, uniqueId, serviceUnderTest } from '@o2o/testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { demoSources } from '../src/demo-sources';
import { ingestionService } from '../src/ingestion.service';

const run = uniqueId();
const web = demoSources[0] ?? { writeKey: '', id: '' };
const auth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('ingestion (real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;

  const sut = serviceUnderTest({
    config: () => loadIngestionConfig(testEnvironment(run, 'ingestion', { INGESTION_DEMO_SOURCES: 'true' })),
    start: (config) => startService(ingestionService, config, 0),
    spyOn: () => [topic(topics.ingestEvents.name), topic(topics.ingestRejected.name)],
    telemetry: { start: () => startTelemetry({ serviceName: 'ingestion-test' }), stop: stopTelemetry },
  });

  const post = (path: string, body: unknown, key = web.writeKey, contentType = 'application/json') =>
    fetch(`${sut.service.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth(key), 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('accepts a track call only once Kafka has it, keyed by userId, with the trace context', async () => {
    const messageId = uniqueId('m');
    const response = await post('/v1/track', { userId: 'user-1', event: 'Order Completed', messageId, properties: { revenue: 10 } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
    const stored = await expectEventually(() => {
      const found = sut.spy
        .on(topic(topics.ingestEvents.name))
        .find((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId);
      if (!found) throw new Error('not yet on ingest.events');
      return found;
    });
    expect(stored.key).toBe('user-1');
    expect(stored.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(stored.value).toMatchObject({ type: 'customer-event.received', data: { sourceId: web.id, channel: 'web', eventType: 'track' } });
  });

  it('corrects client clock skew from sentAt', async () => {
    const messageId = uniqueId('m');
    const skewMs = 3_600_000;
    const realEventTime = Date.now() - 60_000;
    await post('/v1/track', {
      anonymousId: 'anon-1',
      event: 'Product Viewed',
      messageId,
      timestamp: new Date(realEventTime + skewMs).toISOString(),
      sentAt: new Date(Date.now() + skewMs).toISOString(),
    });
    const stored = await expectEventually(() => {
      const found = sut.spy
        .on(topic(topics.ingestEvents.name))
        .find((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId);
      if (!found) throw new Error('not yet');
      return found.value as { data: { timestamp: string } };
    });
    expect(Math.abs(Date.parse(stored.data.timestamp) - realEventTime)).toBeLessThan(5_000);
  });

  it('drops a duplicate messageId from the same source', async () => {
    const messageId = uniqueId('dup');
    expect((await post('/v1/identify', { userId: 'user-2', messageId, traits: { plan: 'gold' } })).status).toBe(200);
    expect((await post('/v1/identify', { userId: 'user-2', messageId, traits: { plan: 'gold' } })).status).toBe(200);
    const marker = uniqueId('m');
    await post('/v1/track', { userId: 'user-2', event: 'Marker', messageId: marker });
    await expectEventually(() => {
      if (!sut.spy.on(topic(topics.ingestEvents.name)).some((m) => (m.value as { data: { messageId: string } }).data.messageId === marker))
        throw new Error('marker not yet seen');
    });
    expect(
      sut.spy.on(topic(topics.ingestEvents.name)).filter((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId),
    ).toHaveLength(1);
  });

  it('does not answer 200 for a message whose claim was left by an ingestion that died before writing it', async () => {
    const messageId = uniqueId('orphan');
    // What a kill -9 between the dedup claim and the Kafka write leaves: a pending claim, about to expire.
    const redis = new Redis(testEnvironment(run, 'ingestion')['REDIS_URL'] ?? '', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      await redis.set(`${run}:ingest:dedup:${web.id}:${messageId}`, 'pending', 'EX', 1);
    } finally {
      redis.disconnect();
    }
    const first = await post('/v1/track', { userId: 'user-3', event: 'Retried', messageId });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    // The sender retries; once the orphaned claim expired the event is written and only then answered 200.
    await expectEventually(async () => {
      const retry = await post('/v1/track', { userId: 'user-3', event: 'Retried', messageId });
      if (retry.status !== 200) throw new Error(`answered ${retry.status}`);
    });
    await expectEventually(() => {
      if (
        !sut.spy.on(topic(topics.ingestEvents.name)).some((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId)
      )
        throw new Error('not yet on ingest.events');
    });
    expect((await post('/v1/track', { userId: 'user-3', event: 'Retried', messageId })).status).toBe(200);
  });

  it.each([
    ['missing identity', '/v1/track', { event: 'X' }, 400, 'userId'],
    ['operator key', '/v1/track', { userId: 'u', event: 'X', properties: { $where: 'sleep(1)' } }, 400, 'properties.$where'],
    ['dotted key', '/v1/identify', { userId: 'u', traits: { 'a.b': 1 } }, 400, 'traits.a.b'],
    ['empty batch', '/v1/batch', { batch: [] }, 400, 'batch'],
    ['empty event name', '/v1/track', { userId: 'u', event: '' }, 400, 'event'],
  ])('rejects %s with the field named', async (_name, path, body, status, field) => {
    const response = await post(path, body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { issues: Array<{ field: string }> } };
    expect(json.error.issues.map((i) => i.field)).toContain(field);
  });

  it('rejects non-JSON, oversized bodies and unknown write keys', async () => {
    expect((await post('/v1/track', '{not json')).status).toBe(400);
    expect((await post('/v1/track', { userId: 'u', event: 'Big', properties: { blob: 'x'.repeat(40_000) } })).status).toBe(413);
    expect((await post('/v1/track', { userId: 'u', event: 'X' }, 'no-such-key')).status).toBe(401);
  });

  it('validates the Kafka intake like HTTP and sends failures to the rejected topic with the reason', async () => {
    const kafka = new Kafka({ brokers: loadIngestionConfig(testEnvironment(run, 'ingestion')).KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const good = uniqueId('intake');
    await producer.send({
      topic: topic(topics.ingestIntake.name),
      acks: -1,
      messages: [
        {
          key: 'user-9',
          value: JSON.stringify({ type: 'track', userId: 'user-9', event: 'Store Visit', messageId: good }),
          headers: { 'write-key': web.writeKey },
        },
        {
          key: 'user-9',
          value: JSON.stringify({ type: 'track', userId: 'user-9', properties: { $gt: 1 } }),
          headers: { 'write-key': web.writeKey },
        },
        { key: 'user-9', value: 'not json', headers: { 'write-key': web.writeKey } },
      ],
    });
    await producer.disconnect();
    await expectEventually(() => {
      expect(
        sut.spy.on(topic(topics.ingestEvents.name)).some((m) => (m.value as { data: { messageId: string } }).data.messageId === good),
      ).toBe(true);
      const reasons = sut.spy.on(topic(topics.ingestRejected.name)).map((m) => (m.value as { data: { reason: string } }).data.reason);
      expect(reasons).toEqual(expect.arrayContaining(['invalid_key', 'invalid_json']));
    });
    expect(deadLetterTopicName('ingestion')).toBe('dlq.ingestion.v1');
  });

  it('reports Kafka, MongoDB and Redis in readiness and exposes metrics', async () => {
    const ready = await fetch(`${sut.service.managementUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: { kafka: { status: 'up' }, mongodb: { status: 'up' }, redis: { status: 'up' } },
    });
    const metrics = await (await fetch(`${sut.service.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/o2o_ingest_accepted_total\{source="demo-web",service="ingestion"\} [1-9]/);
  });
});
