import {
  ConsumerConfig,
  ConsumerRunConfig,
  EachBatchPayload,
  ITopicConfig,
  Kafka,
  KafkaMessage,
  Partitioners,
  ProducerConfig,
  logLevel,
} from 'kafkajs';
import { topics } from '@o2o/contracts';

/*
 * The kafkajs settings of libs/kafka (createKafka, KafkaBatchTransport, KafkaPublisher, ensureTopics),
 * repeated here because the no-op ceiling must run on exactly the client configuration the services
 * use, and the bench may not import @o2o/kafka's internals. Keep the two in step.
 */

export function benchKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10000 },
    logLevel: logLevel.NOTHING,
  });
}

/** KafkaBatchTransport's consumer. */
export function serviceConsumerConfig(groupId: string): ConsumerConfig {
  return { groupId, sessionTimeout: 30000, heartbeatInterval: 3000, maxBytesPerPartition: 1024 * 1024, allowAutoTopicCreation: false };
}

/**
 * KafkaBatchTransport's run settings, without the handler. The transport gathers the partition
 * batches kafkajs hands over in one tick and handles those of one topic in one call, one call at
 * a time; `gatherBatches` does the same for the ceiling's relays.
 */
export const serviceRunConfig: Omit<ConsumerRunConfig, 'eachBatch' | 'eachMessage'> = {
  autoCommit: true,
  autoCommitThreshold: 1,
  eachBatchAutoResolve: false,
  partitionsConsumedConcurrently: 64,
};

/**
 * An eachBatch that gathers the partition batches of one tick and calls `handle` once per topic
 * with all of them (calls one at a time), then resolves each partition's last offset and
 * commits once: KafkaBatchTransport's shape without decoding, spans or dead letters.
 */
export function gatherBatches(
  handle: (topic: string, messages: KafkaMessage[]) => Promise<void>,
): (payload: EachBatchPayload) => Promise<void> {
  let gathering = new Map<string, Array<{ payload: EachBatchPayload; done: () => void; failed: (e: unknown) => void }>>();
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();
  const flush = () => {
    scheduled = false;
    const groups = [...gathering.entries()];
    gathering = new Map();
    for (const [topic, members] of groups) {
      running = running.then(async () => {
        try {
          await handle(
            topic,
            members.flatMap((m) => m.payload.batch.messages),
          );
          for (const m of members) m.payload.resolveOffset(m.payload.batch.lastOffset());
          await members[0]?.payload.commitOffsetsIfNecessary();
          members.forEach((m) => m.done());
        } catch (error) {
          members.forEach((m) => m.failed(error));
        }
      });
    }
  };
  return (payload) => {
    if (payload.batch.messages.length === 0) return Promise.resolve();
    return new Promise<void>((done, failed) => {
      const list = gathering.get(payload.batch.topic) ?? [];
      list.push({ payload, done, failed });
      gathering.set(payload.batch.topic, list);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  };
}

/** KafkaPublisher's producer; every send is sendBatch with acks=-1 and a 30 s timeout. */
export const serviceProducerConfig: ProducerConfig = {
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5000 },
};
export const serviceSendOptions = { acks: -1, timeout: 30000 } as const;

/** ensureTopics' topic configuration. */
export function topicConfig(name: string, partitions: number, cleanupPolicy: 'compact' | 'delete'): ITopicConfig {
  return {
    topic: name,
    numPartitions: partitions,
    replicationFactor: 1,
    configEntries:
      cleanupPolicy === 'compact'
        ? [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
            { name: 'delete.retention.ms', value: String(24 * 3600 * 1000) },
          ]
        : [{ name: 'cleanup.policy', value: 'delete' }],
  };
}

/**
 * Creates every contract topic under the bench prefix before the services start, so the
 * recorder can subscribe to the topics of stages that are not running (yet).
 */
export async function createBenchTopics(kafka: Kafka, prefix: string, partitions: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = Object.values(topics).map((t) => topicConfig(`${prefix}${t.name}`, partitions, t.cleanupPolicy));
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the run's topics (the bench prefix is unique per run). */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (names.length > 0) await admin.deleteTopics({ topics: names, timeout: 30000 });
    return names.length;
  } finally {
    await admin.disconnect();
  }
}
