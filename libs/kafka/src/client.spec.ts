import pino from 'pino';
import { createKafka } from './client';

describe('kafkajs logs through the service logger', () => {
  it('logs the routine CONCURRENT_TRANSACTIONS retry of a transactional producer at debug, other broker errors at error', () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const kafka = createKafka(
      { clientId: 'client-spec', brokers: ['127.0.0.1:1'], topicPrefix: '', topicPartitions: 1, replicationFactor: 1 },
      logger,
    );
    kafka.logger().error('Response AddPartitionsToTxn(key: 24, version: 1)', {
      error: 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    });
    kafka.logger().error('Response Metadata(key: 3, version: 6)', { error: 'This server does not host this topic-partition' });
    expect(lines.map((line) => [line.msg, pino.levels.labels[line.level]])).toEqual([
      ['Response AddPartitionsToTxn(key: 24, version: 1)', 'debug'],
      ['Response Metadata(key: 3, version: 6)', 'error'],
    ]);
  });
});
