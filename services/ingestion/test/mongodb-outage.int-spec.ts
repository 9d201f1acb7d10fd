import { MongoClient } from 'mongodb';
import { topics } from '@o2o/contracts';
import { RunningService, startService } from '@o2o/runtime';
import { expectEventually, PrivateServer, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { ingestionService } from '../src/ingestion.service';
import { hashWriteKey } from '../src/sources/domain/source-credentials';

const run = uniqueId();

/** A source as another instance stores it (services/ingestion's sources collection). */
interface StoredSource {
  _id: string;
  name: string;
  channel: string;
  enabled: boolean;
  requireSignature: boolean;
  writeKeys: Array<{ hash: string; createdAt: Date }>;
  createdAt: Date;
  updatedAt: Date;
}
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/**
 * Collection does not depend on MongoDB: write keys are verified from each instance's copy of the
 * sources, kept current within seconds, so events are accepted into Kafka while MongoDB is down.
 * A FerretDB of its own (deploy/local/ferretdb.sh on another port) is stopped and started.
 */
describe('ingestion while MongoDB is down (private FerretDB stopped and started)', () => {
  let mongoServer: PrivateServer;
  let mongo: MongoClient;
  let a: RunningService;
  let b: RunningService;
  let spy: TopicSpy;
  const eventsTopic = `${run}.${topics.ingestEvents.name}`;
  const database = `test_${run}_ingestion`;
  const key = uniqueId('wk_test_');
  const sourceId = uniqueId('src-');

  const post = (service: RunningService, writeKey: string, body: unknown) =>
    fetch(`${service.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(writeKey), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const readiness = async (service: RunningService) => {
    const response = await fetch(`${service.managementUrl}/health/ready`);
    return { status: response.status, body: JSON.stringify(await response.json()) };
  };

  beforeAll(async () => {
    mongoServer = await PrivateServer.create('ferretdb');
    mongoServer.start();
    const config = loadIngestionConfig(testEnvironment(run, 'ingestion', { MONGO_URL: mongoServer.url, INGESTION_DEMO_SOURCES: 'true' }));
    // Two instances booting at once, as after a deployment.
    const started = await Promise.allSettled([startService(ingestionService, config, 0), startService(ingestionService, config, 0)]);
    const [first, second] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    if (!first || !second) {
      await Promise.all([first?.app.close(), second?.app.close()]);
      throw new Error(`an instance failed to start: ${started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok')).join(', ')}`);
    }
    [a, b] = [first, second];
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [eventsTopic]);
    mongo = await MongoClient.connect(mongoServer.url);
  }, 300000);

  afterAll(async () => {
    await spy?.stop();
    await Promise.all([a?.app.close(), b?.app.close()]);
    await mongo?.close();
    mongoServer?.remove();
  });

  it('sees a source written by another instance within seconds, and its revocation too', async () => {
    const now = new Date();
    await mongo
      .db(database)
      .collection<StoredSource>('sources')
      .insertOne({
        _id: sourceId,
        name: 'Kiosk',
        channel: 'store',
        enabled: true,
        requireSignature: false,
        writeKeys: [{ hash: hashWriteKey(key), createdAt: now }],
        createdAt: now,
        updatedAt: now,
      });
    await expectEventually(
      async () => expect((await post(b, key, { userId: 'k-1', event: 'Kiosk Used', messageId: uniqueId('m') })).status).toBe(200),
      { timeoutMs: 10000 },
    );
    await mongo
      .db(database)
      .collection<StoredSource>('sources')
      .updateOne({ _id: sourceId }, { $set: { enabled: false, updatedAt: new Date() } });
    for (const service of [a, b]) {
      await expectEventually(
        async () => expect((await post(service, key, { userId: 'k-1', event: 'Kiosk Used', messageId: uniqueId('m') })).status).toBe(403),
        { timeoutMs: 10000 },
      );
    }
  });

  it('accepts events with known write keys into Kafka while MongoDB is down, still refuses revoked and unknown keys, and reloads once it is back', async () => {
    mongoServer.stop();
    try {
      // Both instances noticed (a reload failed) and say where their write keys come from; still ready.
      for (const service of [a, b]) {
        await expectEventually(
          async () => expect(await readiness(service)).toMatchObject({ status: 200, body: expect.stringContaining('local copy') }),
          { timeoutMs: 30000 },
        );
      }
      const ids = Array.from({ length: 20 }, () => uniqueId('m'));
      const statuses = [];
      for (const [i, messageId] of ids.entries()) {
        const response = await post(i % 2 === 0 ? a : b, 'demo-web-write-key', {
          userId: `outage-${i % 4}`,
          event: 'During MongoDB Outage',
          messageId,
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual(ids.map(() => 200));
      expect((await post(a, key, { userId: 'k-1', event: 'Kiosk Used', messageId: uniqueId('m') })).status).toBe(403);
      expect((await post(a, 'no-such-key', { userId: 'k-1', event: 'X', messageId: uniqueId('m') })).status).toBe(401);
      await expectEventually(() => {
        const seen = new Set(spy.on(eventsTopic).map((m) => (m.value as { data: { messageId: string } }).data.messageId));
        expect(ids.filter((id) => !seen.has(id))).toEqual([]);
      });
    } finally {
      mongoServer.start();
    }
    for (const service of [a, b]) {
      await expectEventually(
        async () => expect(await readiness(service)).toMatchObject({ status: 200, body: expect.not.stringContaining('local copy') }),
        { timeoutMs: 60000 },
      );
    }
    await mongo
      .db(database)
      .collection<StoredSource>('sources')
      .updateOne({ _id: sourceId }, { $set: { enabled: true, updatedAt: new Date() } });
    await expectEventually(
      async () => expect((await post(a, key, { userId: 'k-1', event: 'Kiosk Back', messageId: uniqueId('m') })).status).toBe(200),
      { timeoutMs: 10000 },
    );
  }, 240000);
});
