import type { OutgoingEvent, OutgoingTombstone } from '@o2o/kafka';

/** One publication on value.scores.v1: states, and tombstones of customers whose state must go. */
export interface ValueStateBatch {
  events: OutgoingEvent[];
  tombstones?: OutgoingTombstone[];
}

/**
 * Where the use cases publish customers' value states (value.scores.v1, in the consumer's Kafka
 * transaction when there is one); purchases/infrastructure/kafka-value-state.publisher.ts is the
 * Kafka implementation.
 */
export abstract class ValueStatePublisher {
  /** `skipAcknowledged`: a redo after a failed write sends no event Kafka already acknowledged under the same id. */
  abstract publish(batch: ValueStateBatch, options?: { skipAcknowledged?: boolean }): Promise<void>;
}
