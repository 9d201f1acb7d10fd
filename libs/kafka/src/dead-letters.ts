import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, Message } from 'kafkajs';
import { deadLetterHeaders } from '@o2o/contracts';

/** One message of a dead-letter topic, as stored there. */
export interface DeadLetterRecord {
  /** Partition and offset on the dead-letter topic: the letter's identity. */
  partition: number;
  offset: string;
  key: string | null;
  /** The original message's value (what the consumer could not handle). */
  value: Buffer | null;
  /** Every header: the original message's and the dlq-* ones the transport added. */
  headers: Record<string, string>;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  consumerGroup: string;
  reason: string;
  error: string;
  attempts: number | null;
  failedAt: string | null;
}

/** Marks a re-driven message on its original topic: which dead letter it came from. */
export const redrivenFromHeader = 'o2o-redriven-from';

const dlqHeaderNames = new Set<string>(Object.values(deadLetterHeaders));

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()).join(',') : value.toString();
  }
  return out;
}

function intOrNull(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/**
 * Reads a dead-letter topic from its first to its last message (as of the call) in a throwaway
 * consumer group that commits nothing, so reading changes nothing for anyone. At most `limit`
 * letters, oldest first per partition.
 */
export async function readDeadLetters(kafka: Kafka, topic: string, { limit = 10000, timeoutMs = 30000 } = {}): Promise<DeadLetterRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; low: string; high: string }>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  if (wanted.size === 0) return [];
  const records: DeadLetterRecord[] = [];
  const reached = new Set<number>();
  const consumer = kafka.consumer({
    groupId: `o2o-dead-letter-reader-${randomUUID()}`,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
      // A partition is read once the consumer's position passes the high mark taken above. Not
      // only a message says so: letters written in a transaction (exactly-once consumers) end
      // with its commit marker, an offset no message is delivered for; kafkajs reports the batch
      // that held only the marker as processed, with its last offset.
      const reach = (partition: number, lastOffset: string): void => {
        const high = wanted.get(partition);
        if (high !== undefined && Number(lastOffset) + 1 >= high) reached.add(partition);
        if (reached.size === wanted.size || records.length >= limit) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reach(payload.partition, payload.lastOffset));
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const high = wanted.get(partition);
          if (high === undefined || reached.has(partition)) return;
          if (Number(message.offset) < high && records.length < limit)
            records.push(toRecord(partition, message.offset, message.key, message.value, message.headers));
          reach(partition, message.offset);
        },
      });
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

function toRecord(
  partition: number,
  offset: string,
  key: Buffer | null,
  value: Buffer | null,
  rawHeaders: IHeaders | undefined,
): DeadLetterRecord {
  const headers = stringHeaders(rawHeaders);
  return {
    partition,
    offset,
    key: key?.toString('utf8') ?? null,
    value,
    headers,
    originalTopic: headers[deadLetterHeaders.originalTopic] ?? '',
    originalPartition: intOrNull(headers[deadLetterHeaders.originalPartition]),
    originalOffset: headers[deadLetterHeaders.originalOffset] ?? null,
    consumerGroup: headers[deadLetterHeaders.consumerGroup] ?? '',
    reason: headers[deadLetterHeaders.reason] ?? '',
    error: headers[deadLetterHeaders.error] ?? '',
    attempts: intOrNull(headers[deadLetterHeaders.attempts]),
    failedAt: headers[deadLetterHeaders.failedAt] ?? null,
  };
}

/**
 * The message to send back to the letter's original topic: its original key, value and headers
 * (trace context, event id and type), without the dlq-* headers, marked with where it came from.
 */
export function redriveMessage(dlqTopic: string, letter: DeadLetterRecord): Message {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.headers)) if (!dlqHeaderNames.has(name)) headers[name] = value;
  headers[redrivenFromHeader] = `${dlqTopic}/${letter.partition}/${letter.offset}`;
  return { key: letter.key, value: letter.value, headers };
}
