import { Consumer, IHeaders, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { expectEventually } from './expect-eventually';
import { ReadPositions } from './read-positions';

export interface SpiedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Parsed JSON value, or null for tombstones. */
  value: unknown;
  headers: Record<string, string>;
}

/** Reads topics from the beginning in a group of its own and keeps every message, for assertions. */
export class TopicSpy {
  readonly messages: SpiedMessage[] = [];
  private readonly consumer: Consumer;
  private readonly kafka: Kafka;
  private readonly positions: ReadPositions;

  private constructor(
    brokers: string[],
    private readonly topics: string[],
  ) {
    this.kafka = new Kafka({ clientId: 'topic-spy', brokers, logLevel: logLevel.NOTHING });
    this.consumer = this.kafka.consumer({ groupId: `spy-${randomUUID()}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
    this.positions = new ReadPositions(this.consumer);
  }

  static async start(brokers: string[], topics: string[]): Promise<TopicSpy> {
    const spy = new TopicSpy(brokers, topics);
    await spy.run();
    return spy;
  }

  private async run(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = this.topics.filter((t) => !existing.has(t));
    if (missing.length > 0)
      await admin
        .createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true })
        .catch(() => undefined);
    await admin.disconnect();
    await this.consumer.connect();
    for (const topic of this.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        // Race hunting: TOPIC_SPY_DELAY_MS holds each message that long, a spy lagging as on a loaded
        // machine, so an assertion that reads the spy without waiting for what it asserts fails at once.
        const lag = Number(process.env['TOPIC_SPY_DELAY_MS'] ?? 0);
        if (lag > 0) await new Promise((resolve) => setTimeout(resolve, lag));
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value && message.value.length > 0 ? safeJson(message.value.toString()) : null,
          headers: stringHeaders(message.headers),
        });
      },
    });
    await joined;
  }

  on(topic: string): SpiedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** Waits until the spy received every message written to the topics before this call. */
  async waitUntilCaughtUp(topics: string[] = this.topics, { timeoutMs = 30000 } = {}): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
      await expectEventually(
        () => {
          for (const { topic, partitions } of ends) {
            for (const p of partitions) {
              const end = Number(p.high);
              // Markers of transactions are read but never handed out as messages.
              const seen = Math.max(
                this.positions.of(topic, p.partition),
                this.messages
                  .filter((m) => m.topic === topic && m.partition === p.partition)
                  .reduce((max, m) => Math.max(max, Number(m.offset) + 1), 0),
              );
              if (end > 0 && seen < end) throw new Error(`spy at ${seen} of ${end} on ${topic}[${p.partition}]`);
            }
          }
        },
        { timeoutMs, intervalMs: 50 },
      );
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}
