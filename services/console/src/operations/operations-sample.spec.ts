import { historyOf, sumMetric, type OperationsSample } from './operations-sample';

describe('operations samples', () => {
  it('sums a metric over its label sets and ignores metrics that merely share its prefix', () => {
    const text = [
      '# HELP o2o_kafka_events_consumed_total Messages consumed, by topic.',
      '# TYPE o2o_kafka_events_consumed_total counter',
      'o2o_kafka_events_consumed_total{topic="t1.ingest.events.v1"} 40',
      'o2o_kafka_events_consumed_total{topic="t1.identity.changes.v1",x="a b"} 2',
      'o2o_kafka_events_consumed_total_extra{topic="x"} 1000',
      'o2o_kafka_events_produced_total 7',
    ].join('\n');
    expect(sumMetric(text, 'o2o_kafka_events_consumed_total')).toBe(42);
    expect(sumMetric(text, 'o2o_kafka_events_produced_total')).toBe(7);
    expect(sumMetric(text, 'o2o_kafka_dead_lettered_total')).toBeUndefined();
  });

  it('turns samples into lag per group and events per second per stage, skipping counter resets', () => {
    const samples: OperationsSample[] = [
      {
        at: '2026-12-06T16:00:20Z',
        lag: [{ group: 'ingestion', topic: 'a', lag: 1 }],
        stages: [{ service: 'ingestion', consumed: 50, produced: 10 }],
      },
      {
        at: '2026-12-06T16:00:00Z',
        lag: [
          { group: 'ingestion', topic: 'a', lag: 5 },
          { group: 'ingestion', topic: 'b', lag: 2 },
        ],
        stages: [{ service: 'ingestion', consumed: 10, produced: 0 }],
      },
      { at: '2026-12-06T16:00:40Z', stages: [{ service: 'ingestion', consumed: 3, produced: 20 }] },
    ];
    expect(historyOf(samples, 20)).toEqual({
      intervalSeconds: 20,
      times: ['2026-12-06T16:00:00Z', '2026-12-06T16:00:20Z', '2026-12-06T16:00:40Z'],
      lag: [{ group: 'ingestion', values: [7, 1, null] }],
      rates: [{ service: 'ingestion', consumed: [null, 2, null], produced: [null, 0.5, 0.5] }],
    });
  });
});
