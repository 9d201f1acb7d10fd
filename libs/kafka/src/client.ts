import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from '@o2o/observability';
import { KafkaSettings } from './kafka-settings';

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function saslOptions({ mechanism, username, password }: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

/** A kafkajs client whose logs go through the service's pino logger. */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.ssl !== undefined ? { ssl: settings.ssl } : {}),
    ...(settings.sasl !== undefined ? { sasl: saslOptions(settings.sasl) } : {}),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        // The publisher bounds an idempotent producer's retries on purpose and retires the
        // producer when they run out (publisher.ts), which is what keeps the guarantee.
        if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
        // A transaction begun while the broker still writes the previous one's commit markers is
        // refused with CONCURRENT_TRANSACTIONS, and kafkajs retries it: routine for a transactional
        // producer (ingestion) after every commit, not an error an operator should be paged for.
        const routine =
          typeof extra['error'] === 'string' && extra['error'].includes('another concurrent operation on the same transaction');
        kafkaLogger[routine ? 'debug' : (levelNames[level] ?? 'info')](extra, message);
      },
  });
}
