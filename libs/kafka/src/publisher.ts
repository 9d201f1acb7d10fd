import { Context, context as otelContext } from '@opentelemetry/api';
import { Kafka, Message, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { Envelope, TopicDefinition, messageHeaders, parseEnvelope } from '@o2o/contracts';
import { PlatformMetrics, injectTraceContext } from '@o2o/observability';
import { TopicNames } from './topic-names';

export interface OutgoingEvent {
  /** Partitioning key (the customer id after identity resolution). */
  key: string;
  event: Envelope;
  /** Trace context of the work that caused this event (the consumed message's span), else the active one. */
  trace?: Context | undefined;
}

/** A null value for a key of a compacted topic: erasure (or merge-away) of the key's state. */
export interface OutgoingTombstone {
  key: string;
  /** Trace context of the work that caused it, else the active one. */
  trace?: Context | undefined;
}

export interface TopicBatch {
  topic: TopicDefinition;
  events: OutgoingEvent[];
  /**
   * Tombstones for keys of this (compacted) topic, sent in the same request after `events`; for
   * a tombstone that must precede an event of the same key, put it in an earlier TopicBatch.
   */
  tombstones?: OutgoingTombstone[];
}

/** Raised when an outgoing event does not satisfy its topic's contract: a bug, never sent. */
export class ContractViolationError extends Error {
  constructor(topic: string, detail: string) {
    super(`event does not match the contract of ${topic}: ${detail}`);
    this.name = 'ContractViolationError';
  }
}

/**
 * Produces enveloped events with acks=all. Every call is one sendBatch round trip whatever the
 * number of events and topics, and resolves only once all in-sync replicas have the messages.
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly names: TopicNames,
    private readonly metrics: PlatformMetrics,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5000 },
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }

  /**
   * Publishes events and tombstones to one or more topics in a single acknowledged request
   * (e.g. a merge survivor's new state and the merged customer's tombstone), each message with
   * the trace context of its cause. Everything is checked before anything is sent.
   */
  async publish(batches: TopicBatch[]): Promise<void> {
    const topicMessages: TopicMessages[] = [];
    for (const batch of batches) {
      const tombstones = batch.tombstones ?? [];
      if (tombstones.length > 0) assertCompacted(batch.topic);
      if (batch.events.length === 0 && tombstones.length === 0) continue;
      topicMessages.push({
        topic: this.names.of(batch.topic),
        messages: [...batch.events.map((e) => this.toMessage(batch.topic, e)), ...tombstones.map((t) => tombstoneMessage(t))],
      });
    }
    await this.send(topicMessages);
  }

  /** Tombstones (null values) for keys of a compacted topic: erasure of their state. */
  async publishTombstones(topic: TopicDefinition, keys: string[]): Promise<void> {
    await this.publish([{ topic, events: [], tombstones: keys.map((key) => ({ key })) }]);
  }

  /** Sends prepared messages to a named cluster topic (dead letters, raw intake). */
  async publishRaw(clusterTopic: string, messages: Message[]): Promise<void> {
    await this.send([{ topic: clusterTopic, messages }]);
  }

  private async send(topicMessages: TopicMessages[]): Promise<void> {
    if (topicMessages.length === 0) return;
    await this.connect();
    await this.producer.sendBatch({ acks: -1, timeout: 30000, topicMessages });
    for (const t of topicMessages) {
      this.metrics.eventsProduced.inc({ topic: t.topic }, t.messages.length);
    }
  }

  private toMessage(topic: TopicDefinition, outgoing: OutgoingEvent): Message {
    const checked = parseEnvelope(topic, outgoing.event);
    if (!checked.ok) throw new ContractViolationError(topic.name, checked.message);
    return {
      key: outgoing.key,
      value: JSON.stringify(outgoing.event),
      headers: {
        ...injectTraceContext(outgoing.trace ?? otelContext.active()),
        [messageHeaders.eventType]: outgoing.event.type,
        [messageHeaders.eventVersion]: String(outgoing.event.version),
        [messageHeaders.eventId]: outgoing.event.id,
        [messageHeaders.subject]: outgoing.event.subject,
        [messageHeaders.contentType]: 'application/json',
      },
    };
  }
}

function assertCompacted(topic: TopicDefinition): void {
  if (topic.cleanupPolicy !== 'compact') throw new Error(`${topic.name} is not compacted; tombstones are meaningless there`);
}

function tombstoneMessage(tombstone: OutgoingTombstone): Message {
  return {
    key: tombstone.key,
    value: null,
    headers: { ...injectTraceContext(tombstone.trace ?? otelContext.active()), [messageHeaders.subject]: tombstone.key },
  };
}
