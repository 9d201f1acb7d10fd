import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import Redis from 'ioredis';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { deadLetterHeaders, topics } from '@o2o/contracts';
import { createLogger, ObservabilityModule, PlatformMetrics } from '@o2o/observability';
import { expectEventually, PrivateServer, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { MemoryDataKeys } from '../src/memory-data-keys';
import { snapshotEnvelope } from '../src/transport/partition-batch.fixture';
import {
  BatchHandler,
  connectBatchTransport,
  EventBatch,
  KafkaBatchContext,
  KafkaBatchTransport,
  KafkaModule,
  KafkaPublisher,
  sealedDeadLetterHeader,
  TopicNames,
} from '../src';

/** What the handler under test did, shared with the test body. */
const seen = {
  calls: [] as string[][],
  poison: new Set<string>(),
  rejectCustomer: new Set<string>(),
  delayMs: 0,
  completed: [] as string[],
  /** Every call's partitions and the (partition, offset) of its messages, in the order given. */
  batches: [] as Array<{ partitions: number[]; positions: Array<{ partition: number; offset: number; id: string | null }> }>,
  inFlight: 0,
  maxInFlight: 0,
  /** When set, the handler stores every message in this Redis (the effect an outage must not lose). */
  store: undefined as Redis | undefined,
  /** The trace id of each message's context as the handler received it, by customer id. */
  traces: new Map<string, string | undefined>(),
};

@Controller()
class SnapshotConsumer {
  @BatchHandler(topics.identitySnapshots)
  async handle(@Payload() batch: EventBatch<'identitySnapshots'>, @Ctx() ctx: KafkaBatchContext): Promise<void> {
    const ids = batch.messages.flatMap((m) => (m.kind === 'event' ? [m.event.data.customerId] : []));
    seen.calls.push(ids);
    for (const m of batch.messages)
      if (m.kind === 'event') seen.traces.set(m.event.data.customerId, trace.getSpanContext(m.trace)?.traceId);
    seen.batches.push({
      partitions: batch.partitions,
      positions: batch.messages.map((m) => ({
        partition: m.partition,
        offset: Number(m.offset),
        id: m.kind === 'event' ? m.event.data.customerId : null,
      })),
    });
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    try {
      await this.work(batch, ctx, ids);
    } finally {
      seen.inFlight--;
    }
  }

  private async work(batch: EventBatch<'identitySnapshots'>, ctx: KafkaBatchContext, ids: string[]): Promise<void> {
    if (ids.some((id) => seen.poison.has(id))) throw new Error(`cannot process ${ids.filter((id) => seen.poison.has(id)).join(',')}`);
    for (const m of batch.messages) {
      if (m.kind === 'event' && seen.rejectCustomer.has(m.event.data.customerId))
        ctx.reject(m, 'business-rule', 'customer refused by the handler');
    }
    if (seen.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, seen.delayMs));
    for (const m of batch.messages)
      if (m.kind === 'event' && seen.store) await seen.store.rpush(`seq:${m.key ?? ''}`, m.event.data.customerId);
    seen.completed.push(...ids);
  }
}

const run = uniqueId();
const env = testEnvironment(run, 'kafka-lib');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const topic = (name: string) => `${run}.${name}`;
const group = 'transport-test';

async function startApp(
  prefix = `${run}.`,
  partitions = 1,
  bounds: { maxBatchMessages?: number; maxBatchBytes?: number } = {},
): Promise<{ app: INestApplication; transport: KafkaBatchTransport }> {
  const logger = createLogger({ service: 'kafka-lib-test', level: 'warn' });
  const metrics = new PlatformMetrics('kafka-lib-test');
  @Module({
    imports: [
      ObservabilityModule.forRoot({ logger, metrics }),
      KafkaModule.forRoot({
        settings: { brokers, clientId: 'kafka-lib-test', topicPrefix: prefix, topicPartitions: partitions, replicationFactor: 1 },
        topics: [topics.identitySnapshots],
        consumerGroups: [group],
      }),
    ],
    controllers: [SnapshotConsumer],
  })
  class TestModule {}
  const app = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: false });
  const transport = connectBatchTransport(app, { groupId: group, fromBeginning: true, retries: 1, ...bounds });
  await app.init();
  await app.startAllMicroservices();
  await transport.whenJoined();
  return { app, transport };
}

const snapshot = (customerId: string) => snapshotEnvelope(customerId, new Date().toISOString());

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

  it("hands each message the trace of the event that caused it (the producer's traceparent), so the trace crosses the hop", async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const traceIds = ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'];
    const events = traceIds.map((traceId, n) => ({
      key: `c-trace-${n}`,
      event: snapshot(`c-trace-${n}`),
      trace: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: `00f067aa0ba902b${n}`, traceFlags: TraceFlags.SAMPLED }),
    }));
    await publisher.publish([{ topic: topics.identitySnapshots, events }]);
    await expectEventually(() => expect(seen.completed).toEqual(expect.arrayContaining(['c-trace-0', 'c-trace-1'])));
    expect([seen.traces.get('c-trace-0'), seen.traces.get('c-trace-1')]).toEqual(traceIds);
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
    const delivered = seen.batches.flatMap((b) => b.positions).find((p) => p.id === 'c-poison');
    expect(letter.headers[deadLetterHeaders.originalOffset]).toBe(String(delivered?.offset));
    expect(letter.headers[deadLetterHeaders.reason]).toBe('processing-failed');
    expect(letter.headers[deadLetterHeaders.error]).toContain('cannot process c-poison');
    expect((letter.value as { data: { customerId: string } }).data.customerId).toBe('c-poison');
    expect(seen.completed).toEqual(expect.arrayContaining(['c-ok-1', 'c-ok-2']));
    // Letters are keyed by the message key, so another letter may be on a partition the spy has not read yet.
    await spy.waitUntilCaughtUp();
    expect(spy.on(topic('dlq.transport-test.v1')).filter((m) => m.key?.startsWith('c-ok'))).toHaveLength(0);
  });

  it('dead-letters undecodable messages and handler rejections with their reason', async () => {
    seen.rejectCustomer.add('c-refused');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topic(topics.identitySnapshots.name),
      messages: [
        { key: 'c-garbage', value: '{"not json' },
        { key: 'c-wrong', value: JSON.stringify({ type: 'other', version: 1 }) },
      ],
    });
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

describe('KafkaBatchTransport over several partitions (real Kafka)', () => {
  const prefix = `${run}p.`;
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let spy: TopicSpy;
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    ({ app } = await startApp(prefix, 4));
    publisher = app.get(KafkaPublisher);
    spy = await TopicSpy.start(brokers, [`${prefix}dlq.transport-test.v1`]);
  });

  afterAll(async () => {
    seen.delayMs = 0;
    await spy?.stop();
    await app?.close();
  });

  it('combines the partition batches of one fetch into one call, keeps each partition in order, runs one call at a time and commits every partition', async () => {
    seen.batches.length = 0;
    seen.maxInFlight = 0;
    // The first call is held while the rest is produced, so the next fetch finds every partition filled.
    seen.delayMs = 500;
    const first = uniqueId('c-first-');
    await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key: first, event: snapshot(first) }] }]);
    await expectEventually(() => expect(seen.calls.some((c) => c.includes(first))).toBe(true), { intervalMs: 20 });
    const ids = Array.from({ length: 40 }, (_, i) => `c-spread-${i}`);
    await publisher.publish([{ topic: topics.identitySnapshots, events: ids.map((id) => ({ key: id, event: snapshot(id) })) }]);
    await expectEventually(() => expect(seen.completed).toEqual(expect.arrayContaining(ids)));
    seen.delayMs = 0;

    const used = new Set(seen.batches.flatMap((b) => b.positions.map((p) => p.partition)));
    expect(used.size).toBeGreaterThan(1);
    // One call had messages of several partitions, and said which.
    const combined = seen.batches.filter((b) => new Set(b.positions.map((p) => p.partition)).size > 1);
    expect(combined.length).toBeGreaterThan(0);
    for (const b of combined) expect([...b.partitions].sort()).toEqual([...new Set(b.positions.map((p) => p.partition))].sort());
    // Offsets of each partition only increase, within and across calls.
    const last = new Map<number, number>();
    for (const p of seen.batches.flatMap((b) => b.positions)) {
      expect(p.offset).toBeGreaterThan(last.get(p.partition) ?? -1);
      last.set(p.partition, p.offset);
    }
    expect(seen.maxInFlight).toBe(1);

    const admin = kafka.admin();
    await admin.connect();
    await expectEventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [`${prefix}${topics.identitySnapshots.name}`] });
      const end = await admin.fetchTopicOffsets(`${prefix}${topics.identitySnapshots.name}`);
      const byPartition = (list: Array<{ partition: number; offset: string }>) =>
        Object.fromEntries(list.map((p) => [p.partition, p.offset]));
      expect(byPartition(committed?.partitions ?? [])).toEqual(byPartition(end));
    });
    await admin.disconnect();
  });

  it('dead-letters a message of a combined call with its own partition and offset, and commits the rest', async () => {
    const refused = uniqueId('c-refused-');
    seen.rejectCustomer.add(refused);
    const ids = [...Array.from({ length: 12 }, (_, i) => `c-mixed-${i}`), refused];
    await publisher.publish([{ topic: topics.identitySnapshots, events: ids.map((id) => ({ key: id, event: snapshot(id) })) }]);
    const letter = await expectEventually(() => {
      const found = spy.on(`${prefix}dlq.transport-test.v1`).find((m) => m.key === refused);
      if (!found) throw new Error('not dead-lettered yet');
      return found;
    });
    const delivered = seen.batches.flatMap((b) => b.positions).find((p) => p.id === refused);
    expect(delivered).toBeDefined();
    expect(letter.headers[deadLetterHeaders.originalPartition]).toBe(String(delivered?.partition));
    expect(letter.headers[deadLetterHeaders.originalOffset]).toBe(String(delivered?.offset));
    expect(letter.headers[deadLetterHeaders.reason]).toBe('business-rule');
    expect(seen.completed).toEqual(expect.arrayContaining(ids.filter((id) => id !== refused)));
    await spy.waitUntilCaughtUp();
    expect(spy.on(`${prefix}dlq.transport-test.v1`).filter((m) => m.key?.startsWith('c-mixed-'))).toHaveLength(0);
  });
});

describe('KafkaBatchTransport with bounded calls (real Kafka)', () => {
  const prefix = `${run}b.`;
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let spy: TopicSpy;
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    ({ app } = await startApp(prefix, 2, { maxBatchMessages: 7 }));
    publisher = app.get(KafkaPublisher);
    spy = await TopicSpy.start(brokers, [`${prefix}dlq.transport-test.v1`]);
  });

  afterAll(async () => {
    seen.delayMs = 0;
    await spy?.stop();
    await app?.close();
  });

  it('slices a fetched partition batch into calls of at most the bound, each message once and in order, a poison one dead-lettered, every offset committed', async () => {
    seen.batches.length = 0;
    // The first call is held while the rest is produced, so the next fetch brings partition batches far above the bound.
    seen.delayMs = 500;
    const first = uniqueId('c-bfirst-');
    await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key: first, event: snapshot(first) }] }]);
    await expectEventually(() => expect(seen.calls.some((c) => c.includes(first))).toBe(true), { intervalMs: 20 });
    const refused = uniqueId('c-brefused-');
    seen.rejectCustomer.add(refused);
    const ids = Array.from({ length: 120 }, (_, i) => (i === 50 ? refused : `c-bounded-${i}`));
    // Few keys, so each partition gets long runs of one key whose order the handler must see.
    await publisher.publish([
      { topic: topics.identitySnapshots, events: ids.map((id, i) => ({ key: `k-bounded-${i % 3}`, event: snapshot(id) })) },
    ]);
    const delivered = ids.filter((id) => id !== refused);
    await expectEventually(() => expect(seen.completed).toEqual(expect.arrayContaining(delivered)));
    await expectEventually(() => expect(spy.on(`${prefix}dlq.transport-test.v1`).filter((m) => m.key === 'k-bounded-2')).toHaveLength(1));
    seen.delayMs = 0;

    const calls = seen.batches.filter((b) => b.positions.some((p) => p.id?.startsWith('c-bounded-') || p.id === refused));
    expect(Math.max(...calls.map((b) => b.positions.length))).toBeLessThanOrEqual(7);
    // 119 messages in calls of at most 7 on 2 partitions: sliced, not one call per partition batch.
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(120 / 7));
    const positions = calls.flatMap((b) => b.positions);
    // Each message handed on once (nothing retried by a slice failing), each partition in offset order.
    expect(
      positions
        .filter((p) => p.id?.startsWith('c-bounded-'))
        .map((p) => p.id)
        .sort(),
    ).toEqual([...delivered].sort());
    const last = new Map<number, number>();
    for (const p of positions) {
      expect(p.offset).toBeGreaterThan(last.get(p.partition) ?? -1);
      last.set(p.partition, p.offset);
    }
    // Per key, the handler saw the events in the order they were produced.
    for (const key of [0, 1, 2]) {
      const produced = ids.filter((id, i) => i % 3 === key && id !== refused);
      const handled = positions.map((p) => p.id).filter((id): id is string => id !== null && produced.includes(id));
      expect(handled).toEqual(produced);
    }

    const admin = kafka.admin();
    await admin.connect();
    await expectEventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [`${prefix}${topics.identitySnapshots.name}`] });
      const end = await admin.fetchTopicOffsets(`${prefix}${topics.identitySnapshots.name}`);
      const byPartition = (list: Array<{ partition: number; offset: string }>) =>
        Object.fromEntries(list.map((p) => [p.partition, p.offset]));
      expect(byPartition(committed?.partitions ?? [])).toEqual(byPartition(end));
    });
    await admin.disconnect();
  });
});

describe('KafkaBatchTransport while the store is down (real Kafka, a private Redis stopped and started)', () => {
  const prefix = `${run}o.`;
  let app: INestApplication;
  let transport: KafkaBatchTransport;
  let publisher: KafkaPublisher;
  let spy: TopicSpy;
  let redis: PrivateServer;
  let store: Redis;

  beforeAll(async () => {
    redis = await PrivateServer.create('redis');
    redis.start();
    // Fails fast while Redis is away (as the services' clients do after their retries).
    store = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    store.on('error', () => undefined);
    seen.store = store;
    ({ app, transport } = await startApp(prefix, 2));
    publisher = app.get(KafkaPublisher);
    spy = await TopicSpy.start(brokers, [`${prefix}dlq.transport-test.v1`]);
  }, 300000);

  afterAll(async () => {
    seen.store = undefined;
    await spy?.stop();
    await app?.close();
    store?.disconnect();
    redis?.remove();
  });

  it('holds the batch, reports not-ready and retries until the store is back, then applies every message once, in order per key, and dead-letters nothing', async () => {
    const keys = ['k-a', 'k-b', 'k-c'];
    const sequence = (key: string) => Array.from({ length: 5 }, (_, i) => `${key}-${i}`);
    redis.stop();
    // Each message is its own produce call, so each key's messages are in order on its partition.
    for (let i = 0; i < 5; i++) {
      for (const key of keys) {
        const id = `${key}-${i}`;
        await publisher.publish([{ topic: topics.identitySnapshots, events: [{ key, event: snapshot(id) }] }]);
      }
    }
    // The handler was called and failed on the store: the transport waits instead of dead-lettering.
    await expectEventually(() => expect(transport.waitingTopics()).toEqual([topics.identitySnapshots.name]), { timeoutMs: 60000 });
    expect(transport.isHealthy()).toBe(false);
    // Well past the attempts a poison message gets (retries: 1), still nothing dead-lettered.
    const retriesBefore = await retryCount(app);
    await expectEventually(async () => expect(await retryCount(app)).toBeGreaterThanOrEqual(retriesBefore + 4), { timeoutMs: 60000 });
    await spy.waitUntilCaughtUp();
    expect(spy.on(`${prefix}dlq.transport-test.v1`)).toHaveLength(0);
    expect(transport.waitingTopics()).toEqual([topics.identitySnapshots.name]);

    redis.start();
    await expectEventually(
      async () => {
        for (const key of keys) expect(await store.lrange(`seq:${key}`, 0, -1)).toEqual(sequence(key));
      },
      { timeoutMs: 60000 },
    );
    await expectEventually(() => expect(transport.isHealthy()).toBe(true));
    await spy.waitUntilCaughtUp();
    expect(spy.on(`${prefix}dlq.transport-test.v1`)).toHaveLength(0);
  }, 240000);
});

async function retryCount(app: INestApplication): Promise<number> {
  const text = await app.get(PlatformMetrics).registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('o2o_kafka_batch_retries_total{') && l.includes(topics.identitySnapshots.name));
  return Number(line?.split(' ').pop() ?? 0);
}

describe('KafkaBatchTransport with sealed topics (real Kafka)', () => {
  const prefix = `${run}s.`;
  const store = new MemoryDataKeys();
  const sealedGroup = (name: string) => `${name}-sealed`;
  const spies: TopicSpy[] = [];
  const apps: INestApplication[] = [];

  async function startSealed(groupId: string): Promise<{ app: INestApplication; transport: KafkaBatchTransport }> {
    const logger = createLogger({ service: 'kafka-lib-test', level: 'warn' });
    const metrics = new PlatformMetrics('kafka-lib-test');
    @Module({
      imports: [
        ObservabilityModule.forRoot({ logger, metrics }),
        KafkaModule.forRoot({
          settings: { brokers, clientId: 'kafka-lib-test', topicPrefix: prefix, topicPartitions: 1, replicationFactor: 1 },
          topics: [topics.identitySnapshots],
          consumerGroups: [groupId],
        }),
      ],
      controllers: [SnapshotConsumer],
    })
    class SealedModule {}
    const app = await NestFactory.create(SealedModule, new FastifyAdapter(), { logger: false });
    const transport = connectBatchTransport(app, { groupId, fromBeginning: true, retries: 1, dataKeys: store });
    await app.init();
    await app.startAllMicroservices();
    await transport.whenJoined();
    apps.push(app);
    return { app, transport };
  }

  afterAll(async () => {
    for (const spy of spies) await spy.stop();
    for (const app of apps) await app.close();
  });

  it('opens sealed events for the handler, counts those whose key was destroyed as shredded and dead-letters raw values sealed', async () => {
    const { app } = await startSealed(sealedGroup('first'));
    const spy = await TopicSpy.start(brokers, [`${prefix}identity.snapshots.v1`]);
    spies.push(spy);
    const publisher = new KafkaPublisher(
      new Kafka({ brokers, logLevel: logLevel.NOTHING }),
      new TopicNames(prefix),
      new PlatformMetrics('sealed-publisher'),
      { dataKeys: store },
    );
    const ids = ['s-keep', 's-gone'].map((id) => `${id}-${uniqueId()}`);
    await publisher.publish([{ topic: topics.identitySnapshots, events: ids.map((id) => ({ key: id, event: snapshot(id) })) }]);
    await publisher.disconnect();
    await expectEventually(() => expect(seen.completed).toEqual(expect.arrayContaining(ids)));
    // On the topic: sealed, the customer id only in the clear attributes. The spy reads on its own
    // and may still be behind the consumer that completed them.
    await expectEventually(() => {
      const onTopic = spy.on(`${prefix}identity.snapshots.v1`).filter((m) => ids.includes(m.key ?? ''));
      expect(onTopic.map((m) => typeof (m.value as { data?: unknown }).data)).toEqual(['string', 'string']);
    });
    await app.close();
    apps.splice(apps.indexOf(app), 1);

    // An erasure destroys one key; a raw value that does not decode arrives for the other customer.
    const [kept = '', gone = ''] = ids;
    store.destroy(`customer:${gone}`);
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}identity.snapshots.v1`, messages: [{ key: kept, value: `{"broken": "${kept}@mail.example"` }] });
    await producer.disconnect();

    // A second group replays from offset 0.
    const before = seen.completed.length;
    const { app: replay } = await startSealed(sealedGroup('second'));
    const letters = await TopicSpy.start(brokers, [`${prefix}dlq.${sealedGroup('second')}.v1`]);
    spies.push(letters);
    const letter = await expectEventually(() => {
      const found = letters.on(`${prefix}dlq.${sealedGroup('second')}.v1`).find((m) => m.key === kept);
      if (!found) throw new Error('not dead-lettered yet');
      return found;
    });
    await expectEventually(() => expect(seen.completed.slice(before)).toContain(kept));
    expect(seen.completed.slice(before)).not.toContain(gone);
    const metrics = await replay.get(PlatformMetrics).registry.metrics();
    expect(metrics).toMatch(/o2o_kafka_events_shredded_total\{topic="identity.snapshots.v1"[^}]*\} [1-9]/);
    // The letter is the broken value, sealed whole under the customer's key: nothing of it in clear.
    expect(JSON.stringify(letter.value)).not.toContain('mail.example');
    expect(letter.headers[sealedDeadLetterHeader]).toBe('true');
    expect(letter.headers[deadLetterHeaders.reason]).toBe('invalid-json');
    await letters.waitUntilCaughtUp();
    expect(letters.on(`${prefix}dlq.${sealedGroup('second')}.v1`).filter((m) => m.key === gone)).toEqual([]);
  }, 120000);
});
