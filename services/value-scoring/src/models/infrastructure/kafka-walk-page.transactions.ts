import { OnApplicationShutdown } from '@nestjs/common';
import { ExactlyOnceBatches } from '@o2o/kafka';
import { WalkPageTransactions } from '../application/ports/walk-page.transactions';

/**
 * The walk's pages in Kafka transactions, through a producer of their own (libs/kafka
 * ExactlyOnceBatches, without consumer offsets). Its transactional id is one per consumer group
 * (`<prefix><group>:model-job`), not per instance: the walk runs under the model-job lease on
 * one instance at a time, and an instance that takes the lease over fences one that lost it
 * mid-page, whose open transaction the broker then aborts.
 */
export class KafkaWalkPageTransactions implements WalkPageTransactions, OnApplicationShutdown {
  constructor(private readonly batches: ExactlyOnceBatches) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    const tx = await this.batches.begin();
    let result: T;
    try {
      result = await this.batches.within(tx, work);
    } catch (error) {
      await this.batches.abort(tx);
      throw error;
    }
    // What the page recorded as "in Kafka" (its states no longer pending) waits for the commit.
    for (const after of await this.batches.commit(tx)) await after();
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batches.disconnect();
  }
}

/** The walk's transactional id for a service's topic prefix and consumer group. */
export function walkTransactionalId(config: { KAFKA_TOPIC_PREFIX: string; KAFKA_GROUP_ID: string }): string {
  return `${config.KAFKA_TOPIC_PREFIX}${config.KAFKA_GROUP_ID}:model-job`;
}
