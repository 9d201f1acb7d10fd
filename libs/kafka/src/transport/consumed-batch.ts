import { BaseRpcContext } from '@nestjs/microservices';
import { Context } from '@opentelemetry/api';
import { IHeaders } from 'kafkajs';
import { EnvelopedTopicKey, TopicDefinition, TopicEvent } from '@o2o/contracts';

interface ConsumedBase {
  key: string | null;
  partition: number;
  offset: string;
  /** Broker timestamp of the message (ms since epoch, as a string like kafkajs gives it). */
  timestamp: string;
  headers: IHeaders;
  /** Context of this message's processing span: pass it to the publisher to continue the trace. */
  trace: Context;
}
/** A message whose value parsed as one of the topic's envelopes. */
export interface ConsumedEvent<E> extends ConsumedBase {
  kind: 'event';
  event: E;
}
/** A null value on a compacted topic: the key's state was erased. */
export interface ConsumedTombstone extends ConsumedBase {
  kind: 'tombstone';
  key: string;
}
/** A message on a raw (non-enveloped) topic, e.g. the intake. */
export interface ConsumedRaw extends ConsumedBase {
  kind: 'raw';
  value: Buffer;
}
export type ConsumedMessage<E> = ConsumedEvent<E> | ConsumedTombstone;

/**
 * One handler call: the messages of one topic from every partition batch of one fetch (each
 * message says its partition), in partition order within each partition.
 */
export interface ConsumedBatch<M> {
  topic: TopicDefinition;
  clusterTopic: string;
  partitions: number[];
  messages: M[];
}

/** What a handler of an enveloped topic receives. */
export type EventBatch<K extends EnvelopedTopicKey> = ConsumedBatch<ConsumedMessage<TopicEvent<K>>>;
/** What a handler of a raw topic receives. */
export type RawBatch = ConsumedBatch<ConsumedRaw>;

/** A handler rejection: the message goes to the dead-letter topic with this reason. */
export interface Rejection {
  partition: number;
  offset: string;
  reason: string;
  error: string;
}

/** The context handlers receive next to the batch: lets them dead-letter single messages. */
export class KafkaBatchContext extends BaseRpcContext<[string, number[]]> {
  readonly rejected: Rejection[] = [];

  constructor(topic: string, partitions: number[]) {
    super([topic, partitions]);
  }

  /** Sends one message to the dead-letter topic with a reason instead of failing the whole batch. */
  reject(message: { partition: number; offset: string }, reason: string, error: string): void {
    this.rejected.push({ partition: message.partition, offset: message.offset, reason, error });
  }
}
