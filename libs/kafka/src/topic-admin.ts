import { Kafka, ITopicConfig } from 'kafkajs';
import { TopicDefinition } from '@o2o/contracts';
import { TopicNames } from './topic-names';

export interface TopicSpec {
  name: string;
  cleanupPolicy: 'compact' | 'delete';
  retentionMs?: number | undefined;
}

export function topicSpecs(names: TopicNames, definitions: TopicDefinition[], deadLetterGroups: string[] = []): TopicSpec[] {
  return [
    ...definitions.map((d) => ({ name: names.of(d), cleanupPolicy: d.cleanupPolicy, retentionMs: d.retentionMs })),
    ...deadLetterGroups.map((g) => ({ name: names.deadLetter(g), cleanupPolicy: 'delete' as const })),
  ];
}

/**
 * Creates missing topics (idempotent; several services may race to create the same topic at
 * boot, and "already exists" is success). Compacted topics keep the latest state per key and
 * drop tombstones after a day, so a consumer rebuilding from the beginning sees erasures.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], partitions: number, replicationFactor: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = dedupe(specs).filter((s) => !existing.has(s.name));
    if (missing.length === 0) return;
    const topicsToCreate: ITopicConfig[] = missing.map((s) => ({
      topic: s.name,
      numPartitions: partitions,
      replicationFactor,
      configEntries:
        s.cleanupPolicy === 'compact'
          ? [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'min.cleanable.dirty.ratio', value: '0.1' },
              { name: 'delete.retention.ms', value: String(24 * 3600 * 1000) },
              // Roll segments hourly so erased state is physically compacted away within hours,
              // not when a 1 GiB segment fills up.
              { name: 'segment.ms', value: String(3600 * 1000) },
            ]
          : [{ name: 'cleanup.policy', value: 'delete' }, ...(s.retentionMs ? [{ name: 'retention.ms', value: String(s.retentionMs) }] : [])],
    }));
    try {
      await admin.createTopics({ topics: topicsToCreate, waitForLeaders: true });
    } catch (error) {
      // Another instance created some of them between listTopics and createTopics.
      if (!isTopicExistsError(error)) throw error;
    }
    await waitForTopics(admin, missing.map((s) => s.name));
  } finally {
    await admin.disconnect();
  }
}

function dedupe(specs: TopicSpec[]): TopicSpec[] {
  return [...new Map(specs.map((s) => [s.name, s])).values()];
}

function isTopicExistsError(error: unknown): boolean {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  return text.includes('TOPIC_ALREADY_EXISTS') || text.includes('already exists');
}

async function waitForTopics(admin: ReturnType<Kafka['admin']>, names: string[]): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after 30 s: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
