import { Kafka, logLevel } from 'kafkajs';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { deadLetterHeaders } from '@o2o/contracts';
import { readDeadLetters } from '../src';

const run = uniqueId();
const env = testEnvironment(run, 'kafka-dead-letters');
const kafka = new Kafka({ clientId: `dead-letters-${run}`, brokers: env['KAFKA_BROKERS']?.split(',') ?? [], logLevel: logLevel.NOTHING });

describe('readDeadLetters (real Kafka)', () => {
  jest.setTimeout(120_000);

  it('reads every letter, also those written in a transaction, whose commit marker ends the partition', async () => {
    const topic = `${run}.dlq.reader-test.v1`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const letter = (id: string, partition: number) => ({
      key: id,
      value: JSON.stringify({ id }),
      partition,
      headers: { [deadLetterHeaders.reason]: 'invalid-json', [deadLetterHeaders.originalTopic]: `${run}.in` },
    });
    // Partition 0: one letter written plainly. Partition 1: two letters in one transaction.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [letter('p0', 0)] });
    await plain.disconnect();
    const transactional = kafka.producer({ transactionalId: `${run}-dlq-writer`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    const tx = await transactional.transaction();
    await tx.send({ topic, messages: [letter('t1', 1), letter('t2', 1)] });
    await tx.commit();
    await transactional.disconnect();

    const letters = await readDeadLetters(kafka, topic, { timeoutMs: 60_000 });
    expect(letters.map((l) => [l.partition, l.key, l.reason])).toEqual([
      [0, 'p0', 'invalid-json'],
      [1, 't1', 'invalid-json'],
      [1, 't2', 'invalid-json'],
    ]);
  });
});
