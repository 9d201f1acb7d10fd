import { connect } from 'node:net';
import { ISocketFactory, Kafka, logLevel } from 'kafkajs';
import { messageHeaders, topics } from '@o2o/contracts';
import { PlatformMetrics } from '@o2o/observability';
import { expectEventually, ReadPositions, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { createEnvelope, ensureTopics, KafkaPublisher, TopicNames, topicSpecs } from '../src';

const run = uniqueId();
const env = testEnvironment(run, 'kafka-publisher');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const names = new TopicNames(`${run}.`);
const kafka = new Kafka({ brokers, clientId: 'publisher-test', logLevel: logLevel.NOTHING });

function snapshot(customerId: string, n: number) {
  return {
    key: customerId,
    event: createEnvelope({
      type: 'identity.snapshot',
      version: 1,
      id: `${customerId}:${n}`,
      source: '/test',
      subject: customerId,
      data: {
        customerId,
        identifiers: [{ type: 'userId', value: `${customerId}-${n}` }],
        mergedIds: [],
        updatedAt: new Date(0).toISOString(),
      },
    }),
  };
}

/**
 * Connections to the real broker whose next answer can be lost: the broker has done the work
 * (written the batch) but the client never hears back, as when a broker restarts or a connection
 * drops at the wrong moment.
 */
function faultySockets(): { socketFactory: ISocketFactory; loseNextAnswer: () => void; lost: () => number } {
  let armed = false;
  let lost = 0;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60000);
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (event === 'data' && armed) {
        armed = false;
        lost++;
        socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return { socketFactory, loseNextAnswer: () => (armed = true), lost: () => lost };
}

/** The idempotent publisher on a real broker: one produce request at a time, concurrent calls combined in call order. */
describe('KafkaPublisher (real Kafka)', () => {
  const publishers: KafkaPublisher[] = [];
  const publisher = (options: ConstructorParameters<typeof KafkaPublisher>[3] = {}): KafkaPublisher => {
    const p = new KafkaPublisher(kafka, names, new PlatformMetrics('test'), options);
    publishers.push(p);
    return p;
  };

  beforeAll(async () => {
    await ensureTopics(kafka, topicSpecs(names, [topics.identitySnapshots]), 3, 1);
  });
  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.disconnect()));
  });

  it('writes every event of concurrent calls exactly once, each key in call order, in fewer requests than calls', async () => {
    const p = publisher();
    await p.connect();
    const customers = ['cus_a', 'cus_b', 'cus_c', 'cus_d'];
    const calls = Array.from({ length: 40 }, (_, n) => customers.map((c) => snapshot(c, n)));
    await Promise.all(calls.map((events) => p.publish([{ topic: topics.identitySnapshots, events }])));

    expect(p.stats.requests).toBeLessThan(calls.length);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      const ids = spy.messages.map((m) => m.headers[messageHeaders.eventId] ?? '');
      expect(new Set(ids).size).toBe(ids.length);
      for (const c of customers) {
        const ofCustomer = spy.messages.filter((m) => m.key === c).sort((a, b) => Number(a.offset) - Number(b.offset));
        expect(ofCustomer.map((m) => m.headers[messageHeaders.eventId])).toEqual(calls.map((_, n) => `${c}:${n}`));
      }
    } finally {
      await spy.stop();
    }
  });

  it('never combines concurrent calls beyond its byte bound (the broker refuses a record batch over message.max.bytes)', async () => {
    const calls = Array.from({ length: 10 }, (_, n) => [snapshot('cus_bytes', n)]);
    // Values alone: the bound counts keys and headers too, so a request holds at most two calls.
    const valueBytes = JSON.stringify(calls[0]?.[0]?.event).length;
    const p = publisher({ maxBytesPerRequest: Math.floor(2.5 * valueBytes) });
    await p.connect();
    await Promise.all(calls.map((events) => p.publish([{ topic: topics.identitySnapshots, events }])));
    expect(p.stats.requests).toBeGreaterThanOrEqual(calls.length / 2);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_bytes').map((m) => m.headers[messageHeaders.eventId])).toEqual(
        calls.map((_, n) => `cus_bytes:${n}`),
      );
    } finally {
      await spy.stop();
    }
  });

  it('writes a batch once when the broker wrote it but its answer was lost, where a plain producer writes it twice', async () => {
    const fault = faultySockets();
    const faulty = new Kafka({
      brokers,
      clientId: 'publisher-fault-test',
      logLevel: logLevel.NOTHING,
      socketFactory: fault.socketFactory,
      retry: { retries: 5, initialRetryTime: 100 },
    });
    const p = new KafkaPublisher(faulty, names, new PlatformMetrics('test'));
    publishers.push(p);
    await p.connect();
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_warm_up', 2)] }]);
    fault.loseNextAnswer();
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_lost_answer', 1)] }]);
    expect(fault.lost()).toBe(1);

    // The same fault on kafkajs's default (non-idempotent) producer: the retry is a second copy.
    const plain = faulty.producer({ allowAutoTopicCreation: false });
    await plain.connect();
    try {
      // Connected to the partition's leader first, so that the answer lost is the produce answer.
      await plain.send({
        topic: names.of(topics.identitySnapshots),
        acks: -1,
        messages: [{ key: 'cus_warm_up', value: JSON.stringify(snapshot('cus_warm_up', 1).event) }],
      });
      fault.loseNextAnswer();
      await plain.send({
        topic: names.of(topics.identitySnapshots),
        acks: -1,
        messages: [
          {
            key: 'cus_lost_answer',
            value: JSON.stringify(snapshot('cus_lost_answer', 2).event),
            headers: { [messageHeaders.eventId]: 'cus_lost_answer:2' },
          },
        ],
      });
      expect(fault.lost()).toBe(2);
    } finally {
      await plain.disconnect();
    }

    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_lost_answer').map((m) => m.headers[messageHeaders.eventId])).toEqual([
        'cus_lost_answer:1',
        'cus_lost_answer:2',
        'cus_lost_answer:2',
      ]);
    } finally {
      await spy.stop();
    }
  });

  it('retires its producer after a send that failed for good, so the next call goes out under a new producer id', async () => {
    const p = publisher({ sendRetries: 1 });
    await expect(p.publishRaw(`${run}.no-such-topic`, [{ key: 'k', value: 'v' }])).rejects.toThrow();
    expect(p.stats.retiredProducers).toBe(1);

    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_after', 1)] }]);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_after').map((m) => m.headers[messageHeaders.eventId])).toEqual(['cus_after:1']);
    } finally {
      await spy.stop();
    }
  });

  it('gives up a call still queued at its deadline without ever sending it', async () => {
    const p = publisher({ sendRetries: 4 });
    // Retried with backoff on an unknown topic: in flight for a while, so the next call queues.
    const stuck = p.publishRaw(`${run}.still-no-such-topic`, [{ key: 'k', value: 'v' }]);
    const late = p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_late', 1)] }], { deadline: Date.now() });
    await expect(late).rejects.toEqual(expect.objectContaining({ name: 'PublishTimeoutError', maybeWritten: false }));
    await expect(stuck).rejects.toThrow();
    expect(p.stats.requests).toBe(1);

    // A later call on the same publisher is written, and the given-up one never was.
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_late', 2)] }]);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_late').map((m) => m.headers[messageHeaders.eventId])).toEqual(['cus_late:2']);
    } finally {
      await spy.stop();
    }
  });

  /** Every message of the topic's partitions as a read-uncommitted reader sees them: what the broker holds, aborted or not. */
  async function everythingOnTopic(): Promise<string[]> {
    const topic = names.of(topics.identitySnapshots);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `raw-${uniqueId()}`, readUncommitted: true });
    const positions = new ReadPositions(consumer);
    const ids: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => void ids.push(message.headers?.[messageHeaders.eventId]?.toString() ?? ''),
      });
      await expectEventually(
        () => {
          for (const end of ends) expect(positions.of(topic, end.partition)).toBeGreaterThanOrEqual(Number(end.high));
        },
        { timeoutMs: 30000 },
      );
    } finally {
      await consumer.disconnect();
    }
    return ids;
  }

  it('in a transaction: a call given up at its deadline while its request was in flight is never visible to a read-committed reader', async () => {
    const p = publisher({ transactionalId: `${run}-tx-deadline` });
    await p.connect();
    // The deadline passes while the request is being sent: the broker gets the message, the caller a timeout.
    const late = p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_late', 1)] }], { deadline: Date.now() + 1 });
    await expect(late).rejects.toEqual(expect.objectContaining({ name: 'PublishTimeoutError', maybeWritten: false }));
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_late', 2)] }]);
    expect(p.stats.abortedTransactions).toBe(1);

    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_tx_late').map((m) => m.headers[messageHeaders.eventId])).toEqual(['cus_tx_late:2']);
    } finally {
      await spy.stop();
    }
    // The broker did hold the given-up message: without the transaction it would be a copy.
    expect((await everythingOnTopic()).filter((id) => id.startsWith('cus_tx_late:'))).toEqual(['cus_tx_late:1', 'cus_tx_late:2']);
  });

  it('in a transaction: a publisher started under the id of one that died mid-transaction aborts what it left open', async () => {
    const transactionalId = `${run}-tx-fence`;
    // A process killed after producing and before committing.
    const dead = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 300000 });
    await dead.connect();
    const open = await dead.transaction();
    await open.send({
      topic: names.of(topics.identitySnapshots),
      acks: -1,
      messages: [
        {
          key: 'cus_tx_dead',
          value: JSON.stringify(snapshot('cus_tx_dead', 1).event),
          headers: { [messageHeaders.eventId]: 'cus_tx_dead:1' },
        },
      ],
    });

    const p = publisher({ transactionalId });
    await p.connect();
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_dead', 2)] }]);
    await dead.disconnect();

    // Were the dead one's transaction still open, a read-committed reader could not pass it for 300 s.
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_tx_dead').map((m) => m.headers[messageHeaders.eventId])).toEqual(['cus_tx_dead:2']);
    } finally {
      await spy.stop();
    }
  });

  it('in a transaction: calls made within the group commit window after a commit join one transaction, which the broker does not refuse', async () => {
    // A wide window, so that the second call (made 50 ms after the first) falls in it even on a loaded machine.
    const p = publisher({ transactionalId: `${run}-tx-window`, transactionLingerMs: 1000 });
    await p.connect();
    await p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_window', 0)] }]);
    expect(p.stats.requests).toBe(1);
    const first = p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_window', 1)] }]);
    const second = new Promise<void>((resolve, reject) =>
      setTimeout(() => p.publish([{ topic: topics.identitySnapshots, events: [snapshot('cus_tx_window', 2)] }]).then(resolve, reject), 50),
    );
    await Promise.all([first, second]);
    expect(p.stats.requests).toBe(2);
    // One AddPartitionsToTxn per transaction: none was refused for beginning while the broker still completed the previous commit.
    expect(p.stats.addPartitionsRequests).toBe(2);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_tx_window').map((m) => m.headers[messageHeaders.eventId])).toEqual([
        'cus_tx_window:0',
        'cus_tx_window:1',
        'cus_tx_window:2',
      ]);
    } finally {
      await spy.stop();
    }
  });

  it('in a transaction: concurrent calls are combined and each written once, in call order', async () => {
    const p = publisher({ transactionalId: `${run}-tx-batch` });
    await p.connect();
    const calls = Array.from({ length: 20 }, (_, n) => [snapshot('cus_tx_many', n)]);
    await Promise.all(calls.map((events) => p.publish([{ topic: topics.identitySnapshots, events }])));
    expect(p.stats.requests).toBeLessThan(calls.length);
    const spy = await TopicSpy.start(brokers, [names.of(topics.identitySnapshots)]);
    try {
      await spy.waitUntilCaughtUp([names.of(topics.identitySnapshots)], { timeoutMs: 30000 });
      expect(spy.messages.filter((m) => m.key === 'cus_tx_many').map((m) => m.headers[messageHeaders.eventId])).toEqual(
        calls.map((_, n) => `cus_tx_many:${n}`),
      );
    } finally {
      await spy.stop();
    }
  });
});
