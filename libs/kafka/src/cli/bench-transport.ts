/**
 * The transport's per-message CPU, without Kafka: `npm run bench:transport -- [--messages=300]
 * [--calls=200] [--rounds=5] [--spans]`. For each topic a service consumes or publishes in the
 * pipeline, calls of `--messages` envelopes (the contracts' AsyncAPI examples, each with its own
 * id and subject, sealed where the topic is) go through what the batch transport does to each
 * message of a call (parse, open, validate, trace, the call's metrics) and through what the
 * publisher does to each outgoing event (validate, seal, serialise, headers, the send's
 * bookkeeping, a producer that answers at once). Prints µs of process CPU (`process.cpuUsage`)
 * per message, the median of `--rounds` rounds, after one round of warm-up.
 */
import type { ProducerBatch } from 'kafkajs';
import { context, trace } from '@opentelemetry/api';
import { Envelope, messageExamples, TopicDefinition, topics } from '@o2o/contracts';
import { injectTraceContext, PlatformMetrics, startTelemetry, tracer } from '@o2o/observability';
import { DataKey, keySubject, sealEvent } from '../data-keys';
import { MemoryDataKeys } from '../memory-data-keys';
import { KafkaPublisher, OutgoingEvent, PublisherProducer } from '../publisher';
import { TopicNames } from '../topic-names';
import { BatchMetrics } from '../transport/batch-metrics';
import { decodeGroup, parseGroup } from '../transport/message-decoder';
import { endSpans, traceItems } from '../transport/message-tracing';
import { PartitionBatch } from '../transport/partition-batch';

interface Options {
  messages: number;
  calls: number;
  rounds: number;
  spans: boolean;
}

function options(argv: readonly string[]): Options {
  const read = (name: string, fallback: number): number => {
    const flag = argv.find((a) => a.startsWith(`--${name}=`));
    if (flag === undefined) return fallback;
    const value = Number(flag.slice(name.length + 3));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${flag}`);
    return value;
  };
  if (argv.includes('--help')) {
    console.log('bench:transport [--messages=300] [--calls=200] [--rounds=5] [--spans]');
    process.exit(0);
  }
  return { messages: read('messages', 300), calls: read('calls', 200), rounds: read('rounds', 5), spans: argv.includes('--spans') };
}

const answeringProducer: PublisherProducer = {
  connect: async () => undefined,
  disconnect: async () => undefined,
  sendBatch: async (_batch: ProducerBatch) => [],
  transaction: () => Promise.reject(new Error('not transactional')),
  events: { REQUEST: 'producer.network.request' },
  on: () => undefined,
};

/** `count` distinct events of the topic's example: own id and subject (300 customers), the rest as the example. */
function eventsOf(definition: TopicDefinition, count: number): Envelope[] {
  const schema = definition.events?.[0];
  const example = messageExamples.find((e) => e.schema === schema);
  if (!example) throw new Error(`no example for ${definition.name}`);
  const base = example.payload as Envelope;
  return Array.from({ length: count }, (_, i) => ({ ...base, id: `${base.id}:${i}`, subject: `${base.subject}-${i % 300}` }));
}

function partitionBatchOf(definition: TopicDefinition, values: Buffer[], headers: Array<Record<string, string>>): PartitionBatch {
  const now = String(Date.now());
  const messages = values.map((value, i) => ({
    key: Buffer.from(`key-${i}`),
    value,
    timestamp: now,
    attributes: 0,
    offset: String(i),
    headers: headers[i] ?? {},
  }));
  return {
    payload: {
      batch: {
        topic: `bench.${definition.name}`,
        partition: 0,
        messages,
        lastOffset: () => String(values.length - 1),
        offsetLag: () => '0',
      },
      heartbeat: async () => undefined,
      isStale: () => false,
      resolveOffset: () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
    },
    contractName: definition.name,
    definition,
    stale: false,
    settle: { resolve: () => undefined, reject: () => undefined },
  };
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  startTelemetry({
    serviceName: 'bench-transport',
    ...(opts.spans ? { spanProcessors: [{ onStart() {}, onEnd() {}, async forceFlush() {}, async shutdown() {} }] } : {}),
  });
  const metrics = new PlatformMetrics('bench-transport');
  const batchMetrics = new BatchMetrics(metrics);
  const keys = new MemoryDataKeys();
  const names = new TopicNames('bench.');
  const publisher = new KafkaPublisher({ producer: () => answeringProducer }, names, metrics, { dataKeys: keys, acknowledgedIdsKept: 0 });
  // The producer's trace: each consumed message carries a traceparent, as every message between services does.
  const producerSpan = tracer().startSpan('bench produce');
  const traceHeaders = injectTraceContext(trace.setSpan(context.active(), producerSpan));

  const studied: TopicDefinition[] = [
    topics.ingestEvents,
    topics.identityEvents,
    topics.valueScores,
    topics.needsProfiles,
    topics.segmentMembership,
  ];
  console.log(
    `bench:transport: ${opts.messages} messages per call, ${opts.calls} calls per round, median of ${opts.rounds} rounds; spans ${opts.spans ? 'exported' : 'not exported'}; µs of CPU per message`,
  );
  console.log('topic | sealed | bytes | consume: parse+open+validate+trace+metrics | publish: validate+seal+serialise+headers');
  for (const definition of studied) {
    const events = eventsOf(definition, opts.messages);
    // What the topic carries, as the publisher wrote it.
    const wire: Buffer[] = [];
    const headers: Array<Record<string, string>> = [];
    const subjectKeys = definition.sealed
      ? await keys.forSubjects(events.map((e) => keySubject(definition.sealed ?? 'customer', e.subject)))
      : new Map<string, DataKey>();
    for (const event of events) {
      const key = definition.sealed ? subjectKeys.get(keySubject(definition.sealed, event.subject)) : undefined;
      wire.push(Buffer.from(JSON.stringify(key ? sealEvent(event, key) : event)));
      headers.push({ ...traceHeaders, ce_subject: event.subject });
    }
    const bytes = Math.round(wire.reduce((n, b) => n + b.length, 0) / wire.length);
    const outgoing: OutgoingEvent[] = events.map((event) => ({ key: event.subject, event, trace: context.active() }));

    const consumeRound = async (): Promise<number> => {
      const started = cpuMicros();
      for (let c = 0; c < opts.calls; c++) {
        const t0 = process.hrtime.bigint();
        const group = [partitionBatchOf(definition, wire, headers)];
        batchMetrics.received(definition.name, wire.length);
        const { values, keyIds } = parseGroup(definition, group);
        const dataKeys = await keys.byIds(keyIds);
        const decoded = decodeGroup(definition, group, values, dataKeys, new Set());
        if (decoded.items.length !== wire.length)
          throw new Error(`${definition.name}: ${decoded.deadLetters[0]?.error ?? 'messages lost in decoding'}`);
        batchMetrics.decoded(definition.name, decoded.shredded, decoded.skipped);
        traceItems(decoded.items, { contractName: definition.name, clusterTopic: `bench.${definition.name}`, groupId: 'bench' });
        endSpans(decoded.items);
        batchMetrics.finished(definition.name, decoded.items, group, t0);
      }
      return (cpuMicros() - started) / (opts.calls * wire.length);
    };
    const publishRound = async (): Promise<number> => {
      const started = cpuMicros();
      for (let c = 0; c < opts.calls; c++) await publisher.publish([{ topic: definition, events: outgoing }]);
      return (cpuMicros() - started) / (opts.calls * outgoing.length);
    };
    await consumeRound();
    await publishRound();
    const consumed: number[] = [];
    const published: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      consumed.push(await consumeRound());
      published.push(await publishRound());
    }
    const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(' ')})`;
    console.log(`${definition.name} | ${definition.sealed ?? 'no'} | ${bytes} | ${fmt(consumed)} | ${fmt(published)}`);
  }
  producerSpan.end();
  await publisher.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
