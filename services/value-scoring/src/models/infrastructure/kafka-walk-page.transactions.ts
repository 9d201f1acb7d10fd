import { OnApplicationShutdown } from '@nestjs/common';
import { ExactlyOnceBatches } from '@o2o/kafka';
import { WalkPageTransactions } from '../application/ports/walk-page.transactions';

/**
 * The walk's pages in Kafka transactions, through a producer of their own (libs/kafka
 * ExactlyOnceBatches, without consumer offsets), connected for one walk at a time. Its
 * transactional id is one per consumer group (`<prefix><group>:model-job`), not per instance:
 * the walk runs under the model-job lease on one instance at a time, and each walk's connection
 * fences whichever instance walked before (one that lost the lease mid-page gets its open
 * transaction aborted at once; one killed mid-page holds its partitions' readers until the
 * next walk or the broker's transaction timeout, `KAFKA_TRANSACTION_TIMEOUT_MS`). Kept
 * connected between walks, an instance would find itself fenced by another's walk at its own
 * next one, and lose that walk's first page.
 */
export class KafkaWalkPageTransactions implements WalkPageTransactions, OnApplicationShutdown {
  /** The current walk's producer: a new one per walk (a kafkajs producer connected again keeps its old epoch). */
  private batches: ExactlyOnceBatches | undefined;

  constructor(private readonly producerForWalk: () => ExactlyOnceBatches) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    const batches = (this.batches ??= this.producerForWalk());
    const tx = await batches.begin();
    let result: T;
    try {
      result = await batches.within(tx, work);
    } catch (error) {
      await batches.abort(tx);
      throw error;
    }
    // What the page recorded as "in Kafka" (its states no longer pending) waits for the commit.
    for (const after of await batches.commit(tx)) await after();
    return result;
  }

  async close(): Promise<void> {
    const batches = this.batches;
    this.batches = undefined;
    await batches?.disconnect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** The walk's transactional id for a service's topic prefix and consumer group. */
export function walkTransactionalId(config: { KAFKA_TOPIC_PREFIX: string; KAFKA_GROUP_ID: string }): string {
  return `${config.KAFKA_TOPIC_PREFIX}${config.KAFKA_GROUP_ID}:model-job`;
}
