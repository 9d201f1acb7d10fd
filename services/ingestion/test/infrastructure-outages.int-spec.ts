import { topics } from '@o2o/contracts';
import { startService } from '@o2o/runtime';
import { expectEventually, PrivateServer, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { demoSources } from '../src/demo-sources';
import { ingestionService } from '../src/ingestion.service';

const run = uniqueId();
const web = demoSources[0] ?? { writeKey: '' };
const auth = `Basic ${Buffer.from(`${web.writeKey}:`).toString('base64')}`;
const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('ingestion when Redis or Kafka is unavailable', () => {
  it('with Redis down keeps accepting (dedup fails open, rate limit falls back to memory)', async () => {
    const config = loadIngestionConfig(
      testEnvironment(run, 'ingestion-noredis', {
        INGESTION_DEMO_SOURCES: 'true',
        REDIS_URL: 'redis://127.0.0.1:1',
        RATE_LIMIT_EVENTS_PER_SECOND: '5',
      }),
    );
    const service = await startService(ingestionService, config, 0);
    try {
      const spy = await TopicSpy.start(config.KAFKA_BROKERS, [`${run}.${topics.ingestEvents.name}`]);
      const messageId = uniqueId('m');
      const accepted = await post(service.url, { userId: 'u-noredis', event: 'Still Works', messageId });
      expect(accepted.status).toBe(200);
      await expectEventually(() =>
        expect(spy.messages.some((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId)).toBe(true),
      );
      // At once, so the burst is over the limit (5 a second) however slowly a loaded machine answers each request.
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => post(service.url, { userId: 'u-noredis', event: 'Burst', messageId: uniqueId('m') })),
      );
      const limited = burst.filter((response) => response.status === 429).length;
      expect(limited).toBeGreaterThan(0);
      const metrics = await (await fetch(`${service.managementUrl}/metrics`)).text();
      expect(metrics).toMatch(/o2o_ingest_dedup_unavailable_total\{service="ingestion"\} [1-9]/);
      const ready = await fetch(`${service.managementUrl}/health/ready`);
      expect(ready.status).toBe(503);
      await spy.stop();
    } finally {
      await service.app.close();
    }
  });

  // A broker of its own (deploy/local/kafka.sh on other ports), so that stopping it touches no other test.
  it('answers 503 with Retry-After while Kafka is down, and a retry after it returns loses nothing', async () => {
    const kafka = await PrivateServer.create('kafka');
    try {
      kafka.start();
      const config = loadIngestionConfig(
        testEnvironment(run, 'ingestion-outage', { INGESTION_DEMO_SOURCES: 'true', PUBLISH_TIMEOUT_MS: '3000', KAFKA_BROKERS: kafka.url }),
      );
      const service = await startService(ingestionService, config, 0);
      try {
        const messageIds = [uniqueId('o'), uniqueId('o'), uniqueId('o')];
        kafka.stop();
        const answers = [];
        for (const messageId of messageIds) {
          const response = await post(service.url, { userId: 'u-outage', event: 'During Outage', messageId });
          answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
        }
        kafka.start();
        expect(answers.every((a) => a.status === 503 && Number(a.retryAfter) > 0)).toBe(true);
        await expectEventually(
          async () => {
            for (const messageId of messageIds)
              expect((await post(service.url, { userId: 'u-outage', event: 'During Outage', messageId })).status).toBe(200);
          },
          { timeoutMs: 60000, intervalMs: 1000 },
        );
        // The intake consumer comes back too (kafkajs may give up on a restarted broker; the
        // transport then starts a fresh consumer), so readiness turns green again.
        await expectEventually(async () => expect((await fetch(`${service.managementUrl}/health/ready`)).status).toBe(200), {
          timeoutMs: 90000,
          intervalMs: 1000,
        });
        const spy = await TopicSpy.start(config.KAFKA_BROKERS, [`${run}.${topics.ingestEvents.name}`]);
        await expectEventually(() => {
          for (const messageId of messageIds)
            expect(
              spy.messages.filter((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId).length,
            ).toBeGreaterThanOrEqual(1);
        });
        await spy.stop();
      } finally {
        await service.app.close();
      }
    } finally {
      kafka.remove();
    }
  }, 300000);
});
