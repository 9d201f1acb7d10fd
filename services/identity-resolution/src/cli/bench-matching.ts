/**
 * Matching benchmark against the RUNNING service: feeds a synthetic population (libs/testing's
 * generatePopulation, with its ground truth) one event per produce request, waits for every
 * resolution the service publishes, folds in the merges it published, and prints pairwise
 * precision, recall and F1 and events per second.
 *
 *   node services/identity-resolution/dist/cli/bench-matching.js --url http://127.0.0.1:3001 \
 *     [--mode records|events] [--people 1000] [--seed 7] [--train-people 1000] [--ingestion-url URL --write-key KEY]
 *
 * The service's own environment (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX) tells it where to produce.
 * records: personal-trait-only records (the noisy forms of store, call centre and dealer), sent as
 * identify calls with a fresh anonymousId each, so only probabilistic matching can join them.
 * events: every channel's Segment events (devices, logins, CRM ids, cards, e-mails, plates).
 * With --train-people, a separate population (another seed) is fed first and the service is asked
 * to re-estimate its match parameters from it: the measured population is never trained on.
 */
import { randomUUID } from 'node:crypto';
import { EventReceivedV1, topics } from '@o2o/contracts';
// A benchmark, not service code: the synthetic population and its ground truth live in the
// testing lib on purpose, so that tests and this benchmark measure against the same data.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { generatePopulation, pairwiseMetrics, SyntheticSegmentEvent, TraitRecord } from '@o2o/testing';
import { Kafka, logLevel } from 'kafkajs';
import { loadIdentityResolutionConfig } from '../config/identity-resolution.config';
import { argument, numberArgument } from './cli-arguments';

type Mode = 'records' | 'events';

interface Item {
  /** messageId, the key of the ground truth. */
  readonly id: string;
  readonly message: SyntheticSegmentEvent;
}

function recordAsMessage(record: TraitRecord, tag: string): Item {
  const id = `${tag}-${record.recordId}`;
  const { recordId: _recordId, channel: _channel, ...traits } = record;
  return {
    id,
    message: {
      type: 'identify',
      messageId: id,
      timestamp: new Date(Date.UTC(2025, 0, 1)).toISOString(),
      anonymousId: id,
      traits,
      context: { channel: record.channel },
    },
  };
}

function itemsOf(mode: Mode, seed: number, people: number, tag: string): { items: Item[]; truth: Map<string, string> } {
  const population = generatePopulation({ seed, people: { people }, events: mode === 'events' });
  const truth = new Map<string, string>();
  if (mode === 'records') {
    const items = population.traitRecords.map((record) => recordAsMessage(record, tag));
    for (const record of population.traitRecords)
      truth.set(`${tag}-${record.recordId}`, population.truth.personOfRecord.get(record.recordId) ?? record.recordId);
    return { items, truth };
  }
  const items = population.events.map((event) => {
    const id = `${tag}-${event.messageId}`;
    // Device and account ids get the run's tag too, so runs never collide in one database.
    const tagged = (value: string | undefined) => (value !== undefined ? `${tag}-${value}` : undefined);
    const message: SyntheticSegmentEvent = {
      ...event,
      messageId: id,
      ...(event.userId !== undefined ? { userId: tagged(event.userId) } : {}),
      ...(event.anonymousId !== undefined ? { anonymousId: tagged(event.anonymousId) } : {}),
      ...(event.previousId !== undefined ? { previousId: tagged(event.previousId) } : {}),
    };
    truth.set(id, population.truth.personOfEvent.get(event.messageId) ?? id);
    return { id, message };
  });
  return { items, truth };
}

function received(item: Item): EventReceivedV1 {
  const m = item.message;
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `bench:${item.id}`,
    source: '/cli/bench-matching',
    type: 'customer-event.received',
    version: 1,
    time: m.timestamp,
    subject: m.userId ?? m.anonymousId ?? item.id,
    datacontenttype: 'application/json',
    correlationid: item.id,
    data: {
      messageId: item.id,
      sourceId: 'bench',
      channel: 'other',
      eventType: m.type,
      timestamp: m.timestamp,
      receivedAt: now,
      context: m.context,
      ...(m.userId !== undefined ? { userId: m.userId } : {}),
      ...(m.anonymousId !== undefined ? { anonymousId: m.anonymousId } : {}),
      ...(m.previousId !== undefined ? { previousId: m.previousId } : {}),
      ...(m.event !== undefined ? { event: m.event } : {}),
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.traits !== undefined ? { traits: { ...m.traits } } : {}),
      ...(m.properties !== undefined ? { properties: { ...m.properties } } : {}),
    },
  };
}

interface Results {
  readonly customerOf: Map<string, string>;
  readonly mergedInto: Map<string, string>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const mode = argument(argv, '--mode', 'records') as Mode;
  if (mode !== 'records' && mode !== 'events') throw new Error('--mode is records or events');
  const people = numberArgument(argv, '--people', 1000);
  const seed = numberArgument(argv, '--seed', 7);
  const trainPeople = numberArgument(argv, '--train-people', mode === 'records' ? 1000 : 0);
  const serviceUrl = argument(argv, '--url', 'http://127.0.0.1:3001');
  const ingestionUrl = argument(argv, '--ingestion-url', '');
  const writeKey = argument(argv, '--write-key', '');
  const config = loadIdentityResolutionConfig();
  const tag = `b${randomUUID().slice(0, 6)}`;
  const kafka = new Kafka({ clientId: 'bench-matching', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });

  const results: Results = { customerOf: new Map(), mergedInto: new Map() };
  const consumer = kafka.consumer({ groupId: `bench-${tag}` });
  await consumer.connect();
  await consumer.subscribe({
    topics: [`${config.KAFKA_TOPIC_PREFIX}${topics.identityEvents.name}`, `${config.KAFKA_TOPIC_PREFIX}${topics.identityChanges.name}`],
    fromBeginning: false,
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value === null) return;
      const value = JSON.parse(message.value.toString()) as {
        type: string;
        data: { messageId?: string; customerId?: string; mergedId?: string; survivorId?: string };
      };
      if (value.type === 'customer-event.resolved' && value.data.messageId !== undefined && value.data.customerId !== undefined)
        results.customerOf.set(value.data.messageId, value.data.customerId);
      if (value.type === 'customer.merged' && value.data.mergedId !== undefined && value.data.survivorId !== undefined)
        results.mergedInto.set(value.data.mergedId, value.data.survivorId);
    },
  });
  await joined;
  const producer = kafka.producer();
  await producer.connect();
  const topic = `${config.KAFKA_TOPIC_PREFIX}${topics.ingestEvents.name}`;

  const feed = async (items: readonly Item[]): Promise<number> => {
    const started = process.hrtime.bigint();
    for (const item of items) {
      if (ingestionUrl !== '') {
        const response = await fetch(`${ingestionUrl}/v1/${item.message.type}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
          body: JSON.stringify(item.message),
        });
        if (!response.ok) throw new Error(`ingestion answered ${response.status} for ${item.id}`);
      } else {
        const event = received(item);
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key: event.data.userId ?? event.data.anonymousId ?? item.id, value: JSON.stringify(event) }],
        });
      }
    }
    for (const deadline = Date.now() + 600_000; items.some((item) => !results.customerOf.has(item.id));) {
      if (Date.now() > deadline)
        throw new Error(`${items.filter((item) => !results.customerOf.has(item.id)).length} events never resolved`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  };

  if (trainPeople > 0) {
    const training = itemsOf(mode, seed + 1000, trainPeople, `${tag}t`);
    const seconds = await feed(training.items);
    process.stdout.write(`training population: ${training.items.length} ${mode} fed in ${seconds.toFixed(1)} s\n`);
    const response = await fetch(`${serviceUrl}/v1/matching/parameters/estimate`, { method: 'POST' });
    const body = (await response.json()) as { version?: string; records?: number; lambda?: number };
    if (!response.ok) throw new Error(`re-estimation failed (${response.status}): ${JSON.stringify(body)}`);
    process.stdout.write(
      `re-estimated parameters ${body.version ?? ''} from ${body.records ?? 0} stored records (lambda ${body.lambda?.toExponential(2) ?? '?'})\n`,
    );
    // Instances re-read the current parameters periodically; the one answering the request has them now.
  }

  const measured = itemsOf(mode, seed, people, tag);
  const seconds = await feed(measured.items);
  const survivor = (id: string): string => {
    let cursor = id;
    for (let hop = 0; hop < 50; hop += 1) {
      const next = results.mergedInto.get(cursor);
      if (next === undefined) return cursor;
      cursor = next;
    }
    return cursor;
  };
  const predicted = new Map(measured.items.map((item) => [item.id, survivor(results.customerOf.get(item.id) ?? item.id)]));
  const metrics = pairwiseMetrics(predicted, measured.truth);
  process.stdout.write(
    [
      `mode ${mode}, seed ${seed}, ${people} people, ${measured.items.length} events fed one per request ${ingestionUrl !== '' ? 'through ingestion HTTP' : 'to Kafka'}`,
      `throughput: ${(measured.items.length / seconds).toFixed(1)} events/s (${seconds.toFixed(1)} s from first send to last resolution)`,
      `customers: ${new Set(predicted.values()).size} predicted, ${new Set(measured.truth.values()).size} true`,
      `pairwise precision ${metrics.precision.toFixed(4)}, recall ${metrics.recall.toFixed(4)}, F1 ${metrics.f1.toFixed(4)} (${metrics.truePositivePairs} of ${metrics.predictedPairs} predicted pairs correct, ${metrics.truePairs} true pairs)`,
    ].join('\n') + '\n',
  );
  await producer.disconnect();
  await consumer.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-matching failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
