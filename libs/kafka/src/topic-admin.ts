import { Admin, Kafka, ITopicConfig } from 'kafkajs';
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

export interface EnsureTopicsOptions {
  /** How long to keep trying before boot fails (default 120 s). */
  timeoutMs?: number;
  /** Called before each retry with the error that caused it (for a log line). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Creates missing topics and returns once every partition of every topic has a leader.
 *
 * Several services (and several instances of one) create the same topics at boot at once. While
 * the controller is still creating a topic another client asked for, the broker answers
 * metadata and create requests with errors that are not "already exists" (seen on a first
 * `npm start`: "This server does not host this topic-partition" from the leader wait of
 * createTopics). So every error counts as "not yet": list, create what is missing, check leaders,
 * and on any failure start over after a capped backoff, until the deadline.
 *
 * Compacted topics keep the latest state per key and drop tombstones after a day, so a consumer
 * rebuilding from the beginning sees erasures.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  partitions: number,
  replicationFactor: number,
  options: EnsureTopicsOptions = {},
): Promise<void> {
  const wanted = dedupe(specs);
  if (wanted.length === 0) return;
  const deadline = Date.now() + (options.timeoutMs ?? 120000);
  const admin = kafka.admin();
  let attempt = 0;
  try {
    for (;;) {
      attempt++;
      let failure: unknown;
      try {
        await admin.connect();
        if (await createAndCheck(admin, wanted, partitions, replicationFactor)) return;
        failure = new Error('some partitions have no leader yet');
      } catch (error) {
        failure = error;
      }
      if (Date.now() >= deadline) {
        throw new Error(`topics not ready after ${options.timeoutMs ?? 120000} ms (${attempt} attempts): ${describe(failure)}`, {
          cause: failure,
        });
      }
      options.onRetry?.(failure, attempt);
      await sleep(backoffMs(attempt));
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function createAndCheck(admin: Admin, wanted: TopicSpec[], partitions: number, replicationFactor: number): Promise<boolean> {
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((s) => !existing.has(s.name));
  if (missing.length > 0) {
    try {
      // No leader wait here: the check below does it, and its errors are retried like any other.
      await admin.createTopics({ topics: missing.map((s) => topicConfig(s, partitions, replicationFactor)), waitForLeaders: false });
    } catch (error) {
      // Another client created some of them between listTopics and createTopics.
      if (!isTopicExistsError(error)) throw error;
    }
  }
  const metadata = await admin.fetchTopicMetadata({ topics: wanted.map((s) => s.name) });
  return (
    metadata.topics.length === wanted.length &&
    metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
  );
}

function topicConfig(s: TopicSpec, partitions: number, replicationFactor: number): ITopicConfig {
  return {
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
  };
}

function dedupe(specs: TopicSpec[]): TopicSpec[] {
  return [...new Map(specs.map((s) => [s.name, s])).values()];
}

function isTopicExistsError(error: unknown): boolean {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  return text.includes('TOPIC_ALREADY_EXISTS') || text.includes('already exists');
}

/** 200 ms doubling to 3 s, with jitter so that racing creators do not retry in step. */
function backoffMs(attempt: number): number {
  const base = Math.min(3000, 200 * 2 ** Math.min(attempt - 1, 4));
  return base / 2 + Math.random() * (base / 2);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
