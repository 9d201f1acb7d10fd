import type { PublishOptions, TopicBatch } from '@o2o/kafka';

/**
 * Sends the profile events a use case produced, all or none. An abstract class so that it is also
 * the Nest injection token; the module binds it to the shared `KafkaPublisher`.
 */
export abstract class ProfileEventsPublisher {
  abstract publish(batches: TopicBatch[], options?: PublishOptions): Promise<void>;
}
