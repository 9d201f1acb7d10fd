import { EventReceivedV1, ReceivedEventDataV1, topics } from '@o2o/contracts';
import { startService } from '@o2o/runtime';
import { expectEventually, serviceUnderTest, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';

export type EventInput = Partial<ReceivedEventDataV1> & { eventType: ReceivedEventDataV1['eventType'] };

/** A received event as ingestion publishes it, with a fresh messageId unless one is given. */
export function receivedEvent(input: EventInput): EventReceivedV1 {
  const messageId = input.messageId ?? uniqueId('m');
  const timestamp = input.timestamp ?? new Date().toISOString();
  return {
    specversion: '1.0',
    id: `src-test:${messageId}`,
    source: '/services/ingestion',
    type: 'customer-event.received',
    version: 1,
    time: timestamp,
    subject: input.userId ?? input.anonymousId ?? messageId,
    datacontenttype: 'application/json',
    correlationid: messageId,
    data: { sourceId: 'src-test', channel: 'web', receivedAt: timestamp, ...input, messageId, timestamp },
  };
}

export class EventFeed {
  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async start(brokers: string[], topic: string): Promise<EventFeed> {
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    return new EventFeed(producer, topic);
  }

  /** Sends events, each to the given partition or by its routing key. */
  async send(events: ReadonlyArray<{ event: EventReceivedV1; partition?: number }>): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map(({ event, partition }) => ({
        key: event.data.userId ?? event.data.anonymousId ?? event.id,
        value: JSON.stringify(event),
        ...(partition !== undefined ? { partition } : {}),
      })),
    });
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}

/**
 * identity-resolution started for one test file (serviceUnderTest, with the run's own topics and
 * databases and `env` on top), a feed of received events to its input topic and a MongoDB client,
 * opened before the file's tests and closed after them.
 */
export function identityUnderTest(run: string, options: { env?: Record<string, string>; spyOn: () => string[]; timeoutMs?: number }) {
  const sut = serviceUnderTest({
    config: () => loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution', options.env)),
    start: (config: IdentityResolutionConfig) => startService(identityResolutionService, config, 0),
    spyOn: options.spyOn,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  let feed: EventFeed | undefined;
  let mongo: MongoClient | undefined;
  beforeAll(async () => {
    feed = await EventFeed.start(sut.config.KAFKA_BROKERS, `${run}.${topics.ingestEvents.name}`);
    mongo = await MongoClient.connect(sut.config.MONGO_URL);
  });
  afterAll(async () => {
    await feed?.stop();
    await mongo?.close();
  });
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not open: use it inside a test`);
    return value;
  };
  return {
    sut,
    get feed(): EventFeed {
      return opened(feed, 'the event feed');
    },
    get mongo(): MongoClient {
      return opened(mongo, 'the MongoDB client');
    },
    /** Sends events one request at a time, in order, and returns the customer each was resolved to (spy on identity.events). */
    resolveInOrder(...events: EventReceivedV1[]): Promise<string[]> {
      return resolveEventsInOrder(opened(feed, 'the event feed'), sut.spy, `${run}.${topics.identityEvents.name}`, events);
    },
  };
}

/** Sends events one request at a time, in order, and returns the customer each was resolved to as published on `topic`. */
export async function resolveEventsInOrder(
  feed: EventFeed,
  spy: TopicSpy,
  topic: string,
  events: readonly EventReceivedV1[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const event of events) {
    await feed.send([{ event }]);
    ids.push(
      await expectEventually(() => {
        const customerId = resolvedCustomer(spy, topic, event);
        if (customerId === undefined) throw new Error(`${event.id} not resolved yet`);
        return customerId;
      }),
    );
  }
  return ids;
}

interface ResolvedValue {
  id: string;
  data: { messageId: string; customerId: string };
}
interface ChangeValue {
  type: string;
  data: { survivorId?: string; mergedId?: string; reason?: string; evidence?: unknown[]; customerId?: string; parts?: unknown[] };
}

/** The customer an event was resolved to, as published. */
export function resolvedCustomer(spy: TopicSpy, topic: string, event: EventReceivedV1): string | undefined {
  const found = spy.on(topic).filter((m) => (m.value as ResolvedValue | null)?.id === event.id);
  return (found[found.length - 1]?.value as ResolvedValue | undefined)?.data.customerId;
}

export function changes(spy: TopicSpy, topic: string): ChangeValue[] {
  return spy.on(topic).map((m) => m.value as ChangeValue);
}

/** Follows published merges to the customer an id stands for now. */
export function survivorOf(spy: TopicSpy, topic: string, id: string): string {
  const merged = new Map<string, string>();
  for (const change of changes(spy, topic))
    if (change.type === 'customer.merged' && change.data.mergedId && change.data.survivorId)
      merged.set(change.data.mergedId, change.data.survivorId);
  let cursor = id;
  for (let hop = 0; hop < 20; hop += 1) {
    const next = merged.get(cursor);
    if (next === undefined) break;
    cursor = next;
  }
  return cursor;
}
