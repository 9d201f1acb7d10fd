import { topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import { startService } from '@o2o/runtime';
import { expectEventually, testEnvironment, uniqueId, serviceUnderTest } from '@o2o/testing';
import { MongoClient } from 'mongodb';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

const run = uniqueId();
const DAY = 86_400_000;

describe('value-scoring bounded customers (real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;

  const sut = serviceUnderTest({
    config: () => loadValueScoringConfig(testEnvironment(run, 'value-scoring', { SCHEDULER_ENABLED: 'false', ORDER_LINES_KEPT: '10' })),
    start: (config) => startService(valueScoringService, config, 0),
    spyOn: () => [topic(topics.valueScores.name)],
    producer: true,
    telemetry: { start: () => startTelemetry({ serviceName: 'value-scoring-bounded-test' }), stop: stopTelemetry },
  });

  const purchase = (customerId: string, at: Date, amount: number, messageId: string) =>
    createEnvelope({
      id: `src:${messageId}`,
      type: 'customer-event.resolved',
      version: 1,
      source: '/services/identity-resolution',
      subject: customerId,
      time: at.toISOString(),
      data: {
        messageId,
        sourceId: 'test-store',
        channel: 'store' as const,
        eventType: 'track' as const,
        event: 'Order Completed',
        userId: customerId,
        properties: { order_id: messageId, revenue: amount, category: 'shoes' },
        timestamp: at.toISOString(),
        receivedAt: new Date().toISOString(),
        customerId,
        identifiers: [{ type: 'userId', value: customerId }],
      },
    });

  it('keeps the newest order lines whole and the rest as an aggregate: every purchase still counts, and the limit is reported', async () => {
    const customer = `${run}-busy`;
    const start = Date.now() - 40 * DAY;
    const events = Array.from({ length: 25 }, (_, i) => purchase(customer, new Date(start + i * DAY), 10 + i, `${run}-o${i}`));
    // One message at a time, so each batch holds few events and the window is crossed many times.
    for (const e of events)
      await sut.producer.send({
        topic: topic(topics.identityEvents.name),
        acks: -1,
        messages: [{ key: customer, value: JSON.stringify(e) }],
      });
    const revenue = events.reduce((sum, e) => sum + Number(e.data.properties.revenue), 0);
    await expectEventually(() => {
      const states = sut.spy.on(topic(topics.valueScores.name)).filter((m) => m.key === customer);
      const last = states[states.length - 1]?.value as { data: { purchases: number; revenue: number } } | undefined;
      expect(last?.data).toMatchObject({ purchases: 25, revenue });
    });
    const mongo = await MongoClient.connect(sut.config.MONGO_URL);
    try {
      const doc = await mongo
        .db(sut.config.MONGO_DB)
        .collection<{
          _id: string;
          orders: string;
          purchases: number;
          archive?: { lines: number; purchases: number; purchaseDays: number };
        }>('purchase_summaries')
        .findOne({ _id: customer });
      const lines = JSON.parse(doc?.orders ?? '[]') as unknown[];
      expect(lines.length).toBeLessThanOrEqual(10);
      expect(doc?.archive).toMatchObject({ lines: 25 - lines.length, purchases: 25 - lines.length, purchaseDays: 25 - lines.length });
      expect(doc?.purchases).toBe(25);
    } finally {
      await mongo.close();
    }
    const metrics = await (await fetch(`${sut.service.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/o2o_value_order_lines_archived_total\{service="value-scoring"\} (1[5-9]|2[0-5])/);
  });
});
