import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/**
 * Prints segment membership changes as they happen, one line each: what a downstream system
 * subscribed to segments.membership.v1 receives.
 *   KAFKA_BROKERS (127.0.0.1:9092)  KAFKA_TOPIC_PREFIX ('')  FROM_BEGINNING (false)
 */
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const topic = `${process.env['KAFKA_TOPIC_PREFIX'] ?? ''}segments.membership.v1`;

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'tail-segments', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `tail-segments-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: process.env['FROM_BEGINNING'] === 'true' });
  process.stdout.write(`segment changes on ${topic}:\n`);
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const event = JSON.parse(message.value.toString()) as {
        data: { customerId: string; segmentId: string; segmentVersion: number; change: string; reason: string; changedAt: string };
      };
      const d = event.data;
      process.stdout.write(
        `${d.changedAt}  ${d.customerId}  ${d.change === 'entered' ? '+' : '-'} ${d.segmentId}@v${d.segmentVersion}  (${d.reason})\n`,
      );
    },
  });
  const stop = () => void consumer.disconnect().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
