import { Span } from '@opentelemetry/api';
import { Batch, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { DeadLetterReason, TopicDefinition } from '@o2o/contracts';
import { ConsumedEvent, ConsumedRaw, ConsumedTombstone } from './consumed-batch';

/**
 * What the transport uses of a kafkajs eachBatch payload (kafkajs's own payload is one), so that
 * each unit can be exercised with a plain object.
 */
export interface PartitionPayload {
  batch: Pick<Batch, 'topic' | 'partition' | 'messages' | 'lastOffset' | 'offsetLag'>;
  heartbeat: EachBatchPayload['heartbeat'];
  isStale: EachBatchPayload['isStale'];
  resolveOffset: EachBatchPayload['resolveOffset'];
  commitOffsetsIfNecessary: EachBatchPayload['commitOffsetsIfNecessary'];
}

/** One partition batch kafkajs handed to eachBatch, waiting for the handler call it joins. */
export interface PartitionBatch {
  payload: PartitionPayload;
  contractName: string;
  definition: TopicDefinition;
  /** Set when a rebalance gave the partition to another member while the call was retried. */
  stale: boolean;
  /**
   * A slice of a bigger partition batch (partition-gatherer) says it is to be left out when its
   * call starts: an earlier slice failed or lost its partition, or the rest of the fetch is left
   * to the next one. Left out: neither handled nor committed, settled with its call.
   */
  skip?: () => boolean;
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

export type Decoded = ConsumedEvent<unknown> | ConsumedTombstone | ConsumedRaw;

/** A message ready for the handler, with where it came from. */
export interface DecodedItem {
  source: KafkaMessage;
  partition: number;
  owner: PartitionBatch;
  consumed: Decoded;
  /** The message's processing span; absent when no span is exported (its trace then continues from the producer's context). */
  span: Span | undefined;
}

/** A message bound for the consumer group's dead-letter topic. */
export interface DeadLetter {
  message: KafkaMessage;
  partition: number;
  reason: DeadLetterReason | string;
  error: string;
  attempts: number;
}

/** Messages in the group (each partition batch's messages). */
export function messageCount(group: readonly PartitionBatch[]): number {
  let n = 0;
  for (const member of group) n += member.payload.batch.messages.length;
  return n;
}

/** Marks the members whose partition kafkajs says went to another member (a rebalance). */
export function markStale(group: readonly PartitionBatch[]): void {
  for (const member of group) if (member.payload.isStale()) member.stale = true;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
