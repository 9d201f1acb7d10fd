import { Kafka, logLevel } from 'kafkajs';
import { topics, TopicDefinition } from '@o2o/contracts';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { ensureTopics, TopicNames, topicSpecs } from '../src';

const run = uniqueId();
const env = testEnvironment(run, 'topic-admin');
const brokers = env['KAFKA_BROKERS']?.split(',') ?? [];
const partitions = 4;

/**
 * What `npm start` does on a fresh machine: every service creates the topics it uses at boot, at
 * the same moment, each with its own client. Each creator asks for an overlapping but different
 * set, as the five services do.
 */
describe('ensureTopics under concurrent boots (real Kafka)', () => {
  const all = Object.values(topics) as TopicDefinition[];

  it('lets several creators race for the same new topics and returns for each only once every partition has a leader', async () => {
    const names = new TopicNames(`${run}.`);
    const creators = Array.from({ length: 12 }, (_, i) => {
      const own = all.filter((_, j) => (j + i) % 3 !== 0);
      return {
        kafka: new Kafka({ brokers, clientId: `creator-${i}`, logLevel: logLevel.NOTHING }),
        specs: topicSpecs(names, own, [`group-${i % 2}`]),
      };
    });
    const retries: unknown[] = [];
    const results = await Promise.allSettled(
      creators.map((c) => ensureTopics(c.kafka, c.specs, partitions, 1, { timeoutMs: 90000, onRetry: (error) => retries.push(error) })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    // Every creator's topics exist with all partitions led, and a producer can write to each at once.
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const wanted = [...new Set(creators.flatMap((c) => c.specs.map((s) => s.name)))];
    const metadata = await admin.fetchTopicMetadata({ topics: wanted });
    await admin.disconnect();
    expect(metadata.topics.map((t) => t.name).sort()).toEqual([...wanted].sort());
    for (const t of metadata.topics) {
      expect(t.partitions).toHaveLength(partitions);
      expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
    }
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const sent = await producer.sendBatch({
      acks: -1,
      topicMessages: wanted.map((topic) => ({ topic, messages: [{ key: 'k', value: 'v' }] })),
    });
    await producer.disconnect();
    expect(new Set(sent.map((r) => r.topicName))).toEqual(new Set(wanted));
  });

  it('fails with the last error once the deadline passes when the broker cannot be reached', async () => {
    const unreachable = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 200 });
    const names = new TopicNames(`${run}.x.`);
    let attempts = 0;
    await expect(
      ensureTopics(unreachable, topicSpecs(names, [topics.ingestEvents]), 1, 1, { timeoutMs: 1500, onRetry: () => attempts++ }),
    ).rejects.toThrow(/topics not ready after 1500 ms .*Connection/);
    expect(attempts).toBeGreaterThan(0);
  });
});
