import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { deadLetterHeaders, IdentitySnapshotDataV1, topics } from '@o2o/contracts';
import { createLogger, ObservabilityModule, PlatformMetrics } from '@o2o/observability';
import { expectEventually, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { BatchHandler, connectBatchTransport, EventBatch, createEnvelope, KafkaBatchContext, KafkaBatchTransport, KafkaModule, KafkaPublisher } from '../src';

/** What the handler under test did, shared with the test body. */
const seen = {
  calls: [] as string[][],
  poison: new Set<string>(),
  rejectCustomer: new Set<string>(),
  delayMs: 0,
  completed: [] as string[],
};

@Controller()
class SnapshotConsumer {
  @BatchHandler(topics.identitySnapshots)
  async handle(@Payload() batch: EventBatch<'identitySnapshots'>, @Ctx() ctx: KafkaBatchContext): Promise<void> {
    const ids = batch.messages.flatMap((m) => (m.kind === 'event' ? [m.event.data.customerId] : []));
    seen.calls.push(ids);
    if (ids.some((id) => seen.poison.has(id))) throw new Error(`cannot process ${ids.filter((id) => seen.poison.has(id)).join(',')}`);
    for (const m of batch.messages) {
      if (m.kind === 'event' && seen.rejectCustomer.has(m.event.data.customerId)) ctx.reject(m, 'business-rule', 'customer refused by the handler');
    }
    if (seen.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, seen.delayMs));
    seen.completed.push(...ids);
  }
}

const run = uniqueId();
const env = testEnvironment(run, 'kafka-lib');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const topic = (name: string) => `${run}.${name}`;
const group = 'transport-test';

async function startApp(): Promise<{ app: INestApplication; transport: KafkaBatchTransport }> {
  const logger = createLogger({ service: 'kafka-lib-test', level: 'warn' });
  const metrics = new PlatformMetrics('kafka-lib-test');
  @Module({
    imports: [
      ObservabilityModule.forRoot({ logger, metrics }),
      KafkaModule.forRoot({
        settings: { brokers, clientId: 'kafka-lib-test', topicPrefix: `${run}.`, topicPartitions: 1, replicationFactor: 1 },
        topics: [topics.identitySnapshots],
        consumerGroups: [group],
      }),
    ],
    controllers: [SnapshotConsumer],
  })
  class TestModule {}
  const app = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: false });
  const transport = connectBatchTransport(app, { groupId: group, fromBeginning: true, retries: 1 });
  await app.init();
  await app.startAllMicroservices();
  await transport.whenJoined();
  return { app, transport };
}

const snapshot = (customerId: string) =>
  createEnvelope<'identity.snapshot', IdentitySnapshotDataV1>({
    type: 'identity.snapshot',
    version: 1,
    source: '/test',
    subject: customerId,
    data: { customerId, identifiers: [], mergedIds: [], updatedAt: new Date().toISOString() },
  });

describe('KafkaBatchTransport (real Kafka)', () => {
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let spy: TopicSpy;
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    ({ app } = await startApp());
    publisher = app.get(KafkaPublisher);
    spy = await TopicSpy.start(brokers, [topic('dlq.transport-test.v1')]);
  });

  afterAll(async () => {
    await spy?.stop();
    await app?.close();
  });

  it('hands whole batches to one handler call and commits after the handler finished', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `c-batch-${i}`);
    await publisher.publish([{ topic: topics.identitySnapshots, events: ids.map((id) => ({ key: id, event: snapshot(id) })) }]);
    await expectEventually(() => expect(seen.completed).toEqual(expect.arrayContaining(ids)));
    expect(seen.calls.filter((c) => c.some((id) => id.startsWith('c-batch-'))).length).toBeLessThan(ids.length);
    const admin = kafka.admin();
    await admin.connect();
    await expectEventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: `${run}.${group}`, topics: [topic(topics.identitySnapshots.name)] });
      const end = await admin.fetchTopicOffsets(topic(topics.identitySnapshots.name));
      expect(committed?.partitions.map((p) => p.offset)).toEqual(end.map((p) => p.offset));
    });
    await admin.disconnect();
  });

  it('retries, then dead-letters only the message that keeps failing, with its origin and error', async () => {
    seen.poison.add('c-poison');
    const ids = ['c-ok-1', 'c-poison', 'c-ok-2'];
    await publisher.publish([{ topic: topics.identitySnapshots, events: ids.map((id) => ({ key: id, event: snapshot(id) })) }]);
    const letter = await expectEventually(() => {
      const found = spy.on(topic('dlq.transport-test.v1')).find((m) => m.key === 'c-poison');
      if (!found) throw new Error('not dead-lettered yet');
      return found;
    });
    expect(letter.headers[deadLetterHeaders.originalTopic]).toBe(topic(topics.identitySnapshots.name));
    expect(letter.headers[deadLetterHeaders.originalPartition]).toBe('0');
    expect(Number(letter.headers[deadLetterHeaders.originalOffset])).toBeGreaterThanOrEqual(0);
    expect(letter.headers[deadLetterHeaders.reason]).toBe('processing-failed');
    expect(letter.headers[deadLetterHeaders.error]).toContain('cannot process c-poison');
    expect((letter.value as { data: { customerId: string } }).data.customerId).toBe('c-poison');
    expect(seen.completed).toEqual(expect.arrayContaining(['c-ok-1', 'c-ok-2']));
    expect(spy.on(topic('dlq.transport-test.v1')).filter((m) => m.key?.startsWith('c-ok'))).toHaveLength(0);
  });

  it('dead-letters undecodable messages and handler rejections with their reason', async () => {
    seen.rejectCustomer.add('c-refused');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topic(topics.identitySnapshots.name), messages: [{ key: 'c-garbage', value: '{"not json' }, { key: 'c-wrong', value: JSON.stringify({ type: 'other', version: 1 }) }] });
    await producer.disconnect();
    await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key: 'c-refused', event: snapshot('c-refused') }] }]);
    await expectEventually(() => {
      const reasons = Object.fromEntries(spy.on(topic('dlq.transport-test.v1')).map((m) => [m.key, m.headers[deadLetterHeaders.reason]]));
      expect(reasons).toMatchObject({ 'c-garbage': 'invalid-json', 'c-wrong': 'unknown-event-type', 'c-refused': 'business-rule' });
    });
  });

  it('finishes the in-flight batch on shutdown and a restarted consumer does not redo it', async () => {
    seen.delayMs = 1500;
    const id = uniqueId('c-inflight-');
    await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key: id, event: snapshot(id) }] }]);
    await expectEventually(() => expect(seen.calls.some((c) => c.includes(id))).toBe(true), { intervalMs: 20 });
    await app.close();
    expect(seen.completed).toContain(id);
    seen.delayMs = 0;
    const callsBefore = seen.calls.length;
    ({ app } = await startApp());
    publisher = app.get(KafkaPublisher);
    const marker = uniqueId('c-after-');
    await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key: marker, event: snapshot(marker) }] }]);
    await expectEventually(() => expect(seen.completed).toContain(marker));
    expect(seen.calls.slice(callsBefore).flat()).not.toContain(id);
  });
});
