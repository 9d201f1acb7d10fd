import type { ProducerBatch } from 'kafkajs';
import type { PublisherProducer, PublisherProducers } from './publisher';

/**
 * A producer for unit tests of the publisher: records each sendBatch instead of talking to a
 * broker. Not transactional: a publisher given a transactional id has no business with it.
 */
export function recordingProducers(): { producers: PublisherProducers; sent: ProducerBatch[] } {
  const sent: ProducerBatch[] = [];
  const producer: PublisherProducer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async (batch) => {
      sent.push(batch);
      return [];
    },
    transaction: () => Promise.reject(new Error('the recording producer is not transactional')),
    events: { REQUEST: 'producer.network.request' },
    on: () => undefined,
  };
  return { producers: { producer: () => producer }, sent };
}
