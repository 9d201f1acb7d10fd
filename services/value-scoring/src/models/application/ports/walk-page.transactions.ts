/**
 * Runs one page of the re-scoring walk in a Kafka transaction of its own
 * (models/infrastructure/kafka-walk-page.transactions.ts): what the page publishes, its states
 * and the current states it re-asserts for customers a live write overtook, reaches readers
 * only if the whole page completed. A walk stopped or killed between its publication and that
 * re-assertion would otherwise leave its older state the latest on the topic.
 */
export abstract class WalkPageTransactions {
  /** Runs `work` with its publications in one transaction, committed when it resolves and aborted when it throws; then runs the work it left for after the commit. */
  abstract run<T>(work: () => Promise<T>): Promise<T>;
  /** Ends the walk's producer; the next walk's first page starts one again, fencing whichever instance used the id last. */
  abstract close(): Promise<void>;
}
