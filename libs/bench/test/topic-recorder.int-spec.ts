import { Kafka, logLevel } from 'kafkajs';
import { topics } from '@o2o/contracts';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { TopicRecorder, watchedTopics } from '../src/measure/topic-recorder';

const run = uniqueId();
const env = testEnvironment(run, 'bench-topic-recorder');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const prefix = `${run}.`;
const topic = `${prefix}${topics.ingestEvents.name}`;

/**
 * The bench counts a stage's events from its committed offsets on a topic written in Kafka
 * transactions (ingest.events, identity.events), where every commit leaves a marker at an offset
 * of its own: the recorder turns offsets into messages.
 */
describe('TopicRecorder.messagesBelow (real Kafka)', () => {
  const kafka = new Kafka({ clientId: 'bench-recorder-test', brokers, logLevel: logLevel.NOTHING });
  const recorder = new TopicRecorder(kafka, prefix);
  const producer = kafka.producer({ transactionalId: `${run}-recorder`, idempotent: true, maxInFlightRequests: 1 });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    // The recorder reads every topic the bench watches.
    await admin.createTopics({
      topics: Object.values(watchedTopics).map((name) => ({ topic: `${prefix}${name}`, numPartitions: 2 })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    await producer.connect();
  });

  afterAll(async () => {
    await recorder.stop();
    await producer.disconnect();
  });

  it('counts the messages below a group’s committed offsets, not the markers between them', async () => {
    // Six transactions of one to three messages each over both partitions: a marker per partition per commit.
    const sizes = [1, 3, 2, 1, 2, 3];
    let sent = 0;
    for (const size of sizes) {
      const messages = Array.from({ length: size }, (_, i) => ({
        key: `k${sent + i}`,
        partition: (sent + i) % 2,
        value: JSON.stringify({ id: `m${sent + i}`, type: 'test', data: { messageId: `m${sent + i}` } }),
      }));
      // A topic just created may not be served by its leader yet: the first transaction is tried again.
      for (let attempt = 1; ; attempt++) {
        const tx = await producer.transaction();
        try {
          await tx.send({ topic, messages });
          await tx.commit();
          break;
        } catch (error) {
          await tx.abort().catch(() => undefined);
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      sent += size;
    }
    const admin = kafka.admin();
    await admin.connect();
    const high: number[] = [];
    for (const p of await admin.fetchTopicOffsets(topic)) high[p.partition] = Number(p.high);
    await admin.disconnect();

    await recorder.start();
    const deadline = Date.now() + 30000;
    while (!recorder.hasRead('ingestEvents', high) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    expect(recorder.hasRead('ingestEvents', high)).toBe(true);
    // The offsets run past the messages by the markers.
    expect(high.reduce((a, b) => a + b, 0)).toBeGreaterThan(sent);
    expect(recorder.messagesBelow('ingestEvents', high)).toBe(sent);
    // Below each partition's third offset: only the messages among those offsets, whatever the markers.
    const recorded = recorder.of('ingestEvents');
    const expectedBelowThree = recorded.filter((r) => r.offset < 3).length;
    expect(recorder.messagesBelow('ingestEvents', [3, 3])).toBe(expectedBelowThree);
    expect(expectedBelowThree).toBeLessThan(6);
    // No commit yet (-1) and nothing are nothing.
    expect(recorder.messagesBelow('ingestEvents', [-1, 0])).toBe(0);
  });
});
