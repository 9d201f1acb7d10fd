import { connect, Socket } from 'node:net';
import { ISocketFactory, Kafka, logLevel } from 'kafkajs';
import { IdentitySnapshotDataV1, topics } from '@o2o/contracts';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { expectEventually, ReadPositions, testEnvironment, uniqueId } from '@o2o/testing';
import {
  ConsumedBatch,
  ConsumedMessage,
  createEnvelope,
  ensureTopics,
  ExactlyOnceBatches,
  KafkaBatchTransport,
  KafkaPublisher,
  TopicNames,
  topicSpecs,
} from '../src';
import { valueScoredState } from '../src/value-state.fixture';

const run = uniqueId();
const env = testEnvironment(run, 'kafka-exactly-once');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const names = new TopicNames(`${run}.`);
const group = 'eo-test';
const outputTopic = `${run}.eo-out`;
const unackedTopic = `${run}.eo-unacked`;
const logger = createLogger({ service: 'kafka-eo-test', level: 'fatal' });

/** A client whose network can be cut for good: to the broker, the process looks killed (no heartbeat, no commit). */
function cuttableSockets(): { socketFactory: ISocketFactory; cut: () => void } {
  const sockets = new Set<Socket>();
  let down = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host: down ? '127.0.0.1' : host, port: down ? 1 : port }, onConnect);
    socket.setKeepAlive(true, 60000);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  return {
    socketFactory,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    },
  };
}

/** A value state whose id names it for good (value-scoring's ids carry revision, model and content). */
const valueState = (customerId: string) => valueScoredState(customerId, `value:${customerId}:r1:m:${run}`);

const snapshot = (customerId: string) =>
  createEnvelope<'identity.snapshot', IdentitySnapshotDataV1>({
    type: 'identity.snapshot',
    version: 1,
    id: `in:${customerId}`,
    source: '/test',
    subject: customerId,
    data: { customerId, identifiers: [], mergedIds: [], updatedAt: new Date(0).toISOString() },
  });

/** One instance of a consume-transform-produce service: every input snapshot becomes one output record (its id). */
function instance(
  kafka: Kafka,
  transactionalId: string,
  exactlyOnce: boolean,
  onPublished: (ids: string[]) => Promise<void>,
): { transport: KafkaBatchTransport; publisher: KafkaPublisher } {
  const metrics = new PlatformMetrics('kafka-eo-test');
  const publisher = new KafkaPublisher(kafka, names, metrics);
  const transport = new KafkaBatchTransport({
    kafka,
    names,
    groupId: group,
    publisher,
    metrics,
    logger,
    fromBeginning: true,
    retries: 1,
    sessionTimeoutMs: 6000,
    lagPollIntervalMs: 0,
    exactlyOnce: exactlyOnce ? new ExactlyOnceBatches(kafka, { transactionalId, transactionTimeoutMs: 60000 }, logger) : undefined,
  });
  transport.addHandler(
    topics.identitySnapshots.name,
    async (batch: ConsumedBatch<ConsumedMessage<{ id: string }>>) => {
      const ids = batch.messages.flatMap((m) => (m.kind === 'event' ? [m.event.id] : []));
      await publisher.publishRaw(
        outputTopic,
        ids.map((id) => ({ key: id, value: id })),
      );
      await onPublished(ids);
    },
    true,
  );
  return { transport, publisher };
}

/**
 * A client whose next Produce request reaches the broker but whose answer never comes back: the
 * connection is reset after the request left and new connections are refused until `restore`,
 * so the producer's retries fail too (a broker restart in the middle of a request, seen from the
 * client). The broker has written the records; the client is told the send failed.
 */
function unansweredProduce(): { socketFactory: ISocketFactory; arm: () => void; restore: () => void; dropped: () => boolean } {
  let armed = false;
  let down = false;
  let dropped = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host: down ? '127.0.0.1' : host, port: down ? 1 : port }, onConnect);
    const write = socket.write.bind(socket) as (chunk: Buffer, encoding: BufferEncoding) => boolean;
    socket.write = ((chunk: Buffer, encoding: BufferEncoding) => {
      const written = write(chunk, encoding);
      // A request is [size int32][apiKey int16]...; Produce is api key 0.
      if (armed && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === 0) {
        armed = false;
        down = true;
        dropped = true;
        socket.pause();
        setTimeout(() => socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 500);
      }
      return written;
    }) as typeof socket.write;
    return socket;
  };
  return {
    socketFactory,
    arm: () => (armed = true),
    restore: () => (down = false),
    dropped: () => dropped,
  };
}

/** Every record of the output topic as a reader of this isolation level is handed it, up to the partition's end (transaction markers counted as read). */
async function readAll(kafka: Kafka, readUncommitted: boolean, topic = outputTopic): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueId(`${run}.reader-`), readUncommitted });
  const positions = new ReadPositions(consumer);
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') });
    await expectEventually(
      () => {
        for (const end of ends) expect(positions.of(topic, end.partition)).toBeGreaterThanOrEqual(Number(end.high));
      },
      { timeoutMs: 60000 },
    );
    return values;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * The kill-identity-resolution scenario on a real broker: an instance publishes a batch's
 * outputs, then dies before committing its offsets; its successor (same transactional id)
 * handles the batch again. Exactly-once: read-committed readers see each output once.
 */
describe('ExactlyOnceBatches (real Kafka)', () => {
  const kafka = new Kafka({ brokers, clientId: 'eo-test', logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    await ensureTopics(kafka, topicSpecs(names, [topics.identitySnapshots, topics.valueScores], [group]), 1, 1);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: outputTopic, numPartitions: 1, replicationFactor: 1 },
        { topic: unackedTopic, numPartitions: 1, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
  });

  it('publishes a batch once when its instance dies after publishing and before committing', async () => {
    const transactionalId = `${run}.eo-instance-0`;
    const inputs = Array.from({ length: 20 }, (_, i) => `c-${i}`);
    const network = cuttableSockets();
    const doomedKafka = new Kafka({
      brokers,
      clientId: 'eo-doomed',
      logLevel: logLevel.NOTHING,
      socketFactory: network.socketFactory,
      retry: { retries: 0 },
    });
    let published: string[] = [];
    let hang: (() => void) | undefined;
    const doomed = instance(doomedKafka, transactionalId, true, async (ids) => {
      published = ids;
      // Dies here: published, offsets not committed.
      network.cut();
      await new Promise<void>((resolve) => (hang = resolve));
      throw new Error('killed');
    });
    await new Promise<void>((resolve, reject) => void doomed.transport.listen((error) => (error ? reject(error) : resolve())));
    await doomed.transport.whenJoined();
    const source = new KafkaPublisher(kafka, names, new PlatformMetrics('kafka-eo-test'));
    await source.publish([{ topic: topics.identitySnapshots, events: inputs.map((id) => ({ key: id, event: snapshot(id) })) }]);
    await expectEventually(() => expect(published.length).toBeGreaterThan(0), { timeoutMs: 60000 });

    const handled: string[] = [];
    const successor = instance(kafka, transactionalId, true, async (ids) => void handled.push(...ids));
    await new Promise<void>((resolve, reject) => void successor.transport.listen((error) => (error ? reject(error) : resolve())));
    try {
      await expectEventually(() => expect(new Set(handled)).toEqual(new Set(inputs.map((id) => `in:${id}`))), { timeoutMs: 90000 });
      // The successor's progress is committed with its outputs.
      const admin = kafka.admin();
      await admin.connect();
      await expectEventually(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: `${run}.${group}`, topics: [names.of(topics.identitySnapshots)] });
          expect(offsets?.partitions.map((p) => p.offset)).toEqual([String(inputs.length)]);
        },
        { timeoutMs: 60000 },
      );
      await admin.disconnect();
      const committed = await readAll(kafka, false);
      const everything = await readAll(kafka, true);
      // The dead instance's copies are on the partition (a read-uncommitted reader sees them)...
      expect(everything.length).toBe(inputs.length + published.length);
      // ...and every read-committed reader (every consumer of the platform) sees each output once.
      expect([...committed].sort()).toEqual(inputs.map((id) => `in:${id}`).sort());
    } finally {
      hang?.();
      await successor.transport.close();
      await source.disconnect();
      void doomed.transport.close().catch(() => undefined);
    }
  });

  /**
   * The poison-message flake of the short form (issue 21, a value state twice under one id):
   * value-scoring publishes with `skipAcknowledged`, and a state still marked pending in its
   * database is published again when the customer is touched. The publisher learned the ids of a
   * transaction only in its after-commit work, which runs after the offsets (and is dropped with
   * partitions lost meanwhile), and knew nothing of the ids already in the open transaction: a
   * second call of the same transaction (a merge re-scoring the survivor whose purchase the same
   * fetch had just scored, the gate re-running a failed combined batch alone), or the next
   * transaction, committed a second copy.
   */
  it('commits a state once per transaction and knows it from the commit on; a state of an aborted transaction goes out again', async () => {
    const batches = new ExactlyOnceBatches(kafka, { transactionalId: `${run}.eo-states-0` }, logger);
    const publisher = new KafkaPublisher(kafka, names, new PlatformMetrics('kafka-eo-test'));
    const send = (event: ReturnType<typeof valueState>) =>
      publisher.publish([{ topic: topics.valueScores, events: [{ key: event.subject, event }] }], { skipAcknowledged: true });
    const a = valueState('cus_a');
    const b = valueState('cus_b');
    try {
      const first = await batches.begin();
      await batches.within(first, async () => {
        await send(a);
        await send(a);
      });
      // Its after-commit work is never run here (dropped with its partitions, say).
      await batches.commit(first);

      const second = await batches.begin();
      await batches.within(second, async () => {
        await send(a);
        await send(b);
      });
      await batches.abort(second);

      const third = await batches.begin();
      await batches.within(third, async () => {
        await send(a);
        await send(b);
      });
      await batches.commit(third);

      const committed = (await readAll(kafka, false, names.of(topics.valueScores))).map((v) => (JSON.parse(v) as { id: string }).id);
      expect(committed).toEqual([a.id, b.id]);
      // The aborted copy of b is on the partition all the same: it was sent, then sent again.
      expect((await readAll(kafka, true, names.of(topics.valueScores))).length).toBe(3);
    } finally {
      await publisher.disconnect();
      await batches.disconnect();
    }
  });

  /**
   * The kafka-restarted scenario (issue 21, value states short of orders): a send the broker
   * wrote but never acknowledged fails for good, and kafkajs takes its sequence numbers back.
   * The same producer's next send reuses them: with as many records, the broker takes it for a
   * retry of the written (and by then aborted) batch and acknowledges it without writing it, so
   * the next transaction commits without its records and the service records them as published.
   */
  it("writes the next transaction's records after a send that was written but never acknowledged", async () => {
    const network = unansweredProduce();
    const flakyKafka = new Kafka({
      brokers,
      clientId: 'eo-unacked',
      logLevel: logLevel.NOTHING,
      socketFactory: network.socketFactory,
      retry: { retries: 8 },
    });
    const batches = new ExactlyOnceBatches(flakyKafka, { transactionalId: `${run}.eo-unacked-0`, sendRetries: 1 }, logger);
    try {
      const first = await batches.begin();
      network.arm();
      await expect(first.send([{ topic: unackedTopic, messages: [{ key: 'k', value: 'first' }] }])).rejects.toThrow();
      expect(network.dropped()).toBe(true);
      network.restore();
      await batches.abort(first);

      const second = await batches.begin();
      await second.send([{ topic: unackedTopic, messages: [{ key: 'k', value: 'second' }] }]);
      await batches.commit(second);

      // The failed send did reach the partition (aborted: only a read-uncommitted reader sees it)...
      expect(await readAll(kafka, true, unackedTopic)).toContain('first');
      // ...and the committed transaction's record is there for every read-committed reader.
      expect(await readAll(kafka, false, unackedTopic)).toEqual(['second']);
    } finally {
      await batches.disconnect();
    }
  });
});
