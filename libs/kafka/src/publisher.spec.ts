import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { topics } from '@o2o/contracts';
import { PlatformMetrics } from '@o2o/observability';
import { KafkaPublisher } from './publisher';
import { recordingProducers } from './recording-producer.fixture';
import { valueScoredState } from './value-state.fixture';
import { TopicNames } from './topic-names';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const causeTrace = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });

describe('KafkaPublisher', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('sends a survivor state and a tombstone in one sendBatch, both with the trace context of their cause', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames('t1.'), new PlatformMetrics('test'));

    await publisher.publish([
      {
        topic: topics.valueScores,
        events: [{ key: 'cus_a', event: valueScoredState('cus_a'), trace: causeTrace }],
        tombstones: [{ key: 'cus_b', trace: causeTrace }],
      },
    ]);

    expect(sent).toHaveLength(1);
    const messages = sent[0]?.topicMessages?.[0]?.messages ?? [];
    expect(sent[0]?.topicMessages?.[0]?.topic).toBe('t1.value.scores.v1');
    expect(messages.map((m) => [m.key, m.value === null])).toEqual([
      ['cus_a', false],
      ['cus_b', true],
    ]);
    for (const message of messages) expect(String(message.headers?.['traceparent'])).toContain(traceId);
    expect(messages[1]?.headers?.['ce_subject']).toBe('cus_b');
  });

  it('gives each event the trace of its own cause when the events of one call have different causes', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames('t1.'), new PlatformMetrics('test'));
    const otherTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const otherTrace = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: otherTraceId,
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });

    await publisher.publish([
      {
        topic: topics.valueScores,
        events: [
          { key: 'cus_a', event: valueScoredState('cus_a'), trace: causeTrace },
          { key: 'cus_b', event: valueScoredState('cus_b'), trace: otherTrace },
          { key: 'cus_c', event: valueScoredState('cus_c'), trace: causeTrace },
        ],
        tombstones: [{ key: 'cus_d', trace: otherTrace }],
      },
    ]);

    const messages = sent[0]?.topicMessages?.[0]?.messages ?? [];
    expect(messages.map((m) => [m.key, String(m.headers?.['traceparent']).split('-')[1]])).toEqual([
      ['cus_a', traceId],
      ['cus_b', otherTraceId],
      ['cus_c', traceId],
      ['cus_d', otherTraceId],
    ]);
    expect(messages.map((m) => m.headers?.['ce_subject'])).toEqual(['cus_a', 'cus_b', 'cus_c', 'cus_d']);
  });

  it('with skipAcknowledged leaves out an event Kafka already has from it (a batch redone after a failed write), and only then', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames('t1.'), new PlatformMetrics('test'));
    const a = valueScoredState('cus_a');
    const b = valueScoredState('cus_b');
    await publisher.publish([{ topic: topics.valueScores, events: [{ key: 'cus_a', event: a }] }], { skipAcknowledged: true });
    await publisher.publish(
      [
        {
          topic: topics.valueScores,
          events: [
            { key: 'cus_a', event: a },
            { key: 'cus_b', event: b },
          ],
        },
      ],
      { skipAcknowledged: true },
    );
    expect(sent.map((batch) => batch.topicMessages?.[0]?.messages.map((m) => m.key))).toEqual([['cus_a'], ['cus_b']]);
    expect(publisher.stats.skippedAcknowledged).toBe(1);
    // Without the option the same event goes out again (callers whose ids may come back).
    await publisher.publish([{ topic: topics.valueScores, events: [{ key: 'cus_a', event: a }] }]);
    expect(sent).toHaveLength(3);
  });

  it('refuses tombstones on a topic that is not compacted, sending nothing', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames(''), new PlatformMetrics('test'));

    await expect(publisher.publish([{ topic: topics.identityEvents, events: [], tombstones: [{ key: 'cus_a' }] }])).rejects.toThrow(
      /not compacted/,
    );
    await expect(publisher.publishTombstones(topics.identityEvents, ['cus_a'])).rejects.toThrow(/not compacted/);
    expect(sent).toHaveLength(0);
  });

  it('publishTombstones still sends null values for the keys in one request', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames(''), new PlatformMetrics('test'));

    await publisher.publishTombstones(topics.needsProfiles, ['cus_a', 'cus_b']);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.topicMessages?.[0]?.messages.map((m) => [m.key, m.value])).toEqual([
      ['cus_a', null],
      ['cus_b', null],
    ]);
  });

  it('sends nothing when there is nothing to send', async () => {
    const { producers, sent } = recordingProducers();
    const publisher = new KafkaPublisher(producers, new TopicNames(''), new PlatformMetrics('test'));
    await publisher.publish([{ topic: topics.valueScores, events: [], tombstones: [] }]);
    expect(sent).toHaveLength(0);
  });
});
