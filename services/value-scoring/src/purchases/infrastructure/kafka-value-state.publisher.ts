import { Injectable } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { KafkaPublisher } from '@o2o/kafka';
import { ValueStateBatch, ValueStatePublisher } from '../application/ports/value-state.publisher';

/** Value states go to value.scores.v1 through the service's publisher (its transaction, its retries). */
@Injectable()
export class KafkaValueStatePublisher implements ValueStatePublisher {
  constructor(private readonly publisher: KafkaPublisher) {}

  async publish(batch: ValueStateBatch, options: { skipAcknowledged?: boolean } = {}): Promise<void> {
    await this.publisher.publish(
      [{ topic: topics.valueScores, events: batch.events, ...(batch.tombstones ? { tombstones: batch.tombstones } : {}) }],
      options,
    );
  }
}
