import { topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { startService } from '@o2o/runtime';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { Kafka, logLevel } from 'kafkajs';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { generateSyntheticPopulation } from '../src/scoring/domain';
import { valueScoringService } from '../src/value-scoring.service';

const run = uniqueId();
const DAY = 86_400_000;
it('probe', async () => {
  const config = loadValueScoringConfig(testEnvironment(run, 'value-scoring', { SCHEDULER_ENABLED: 'false' }));
  const svc = await startService(valueScoringService, config, 0);
  await svc.transport.whenJoined();
  const now = new Date();
  const population = generateSyntheticPopulation({
    customers: 120, seed: 7, purchases: { model: 'bg-nbd', params: { r: 1.2, alpha: 3, a: 0.6, b: 3 } }, spend: { p: 6, q: 4, v: 20 },
    acquisitionStart: new Date(now.getTime() - 400 * DAY), acquisitionEnd: new Date(now.getTime() - 200 * DAY),
    calibrationEnd: new Date(now.getTime() - 2 * DAY), holdoutEnd: new Date(now.getTime() - 2 * DAY), idPrefix: `${run}-pop`,
  });
  const producer = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const events = population.transactions.map((t) => {
    const messageId = uniqueId('m');
    return createEnvelope({ id: `src:${messageId}`, type: 'customer-event.resolved', version: 1, source: '/x', subject: t.customerId, time: t.at.toISOString(), data: {
      messageId, sourceId: 's', channel: 'store' as const, eventType: 'track' as const, event: 'Order Completed', userId: t.customerId,
      properties: { order_id: messageId, revenue: 10 }, timestamp: t.at.toISOString(), receivedAt: now.toISOString(), customerId: t.customerId, identifiers: [{ type: 'userId', value: t.customerId }] } });
  });
  process.stderr.write('started\n');
  const t0 = Date.now();
  await producer.send({ topic: `${run}.${topics.identityEvents.name}`, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    const m = await (await fetch(`${svc.url}/metrics`)).text();
    const consumed = m.split('\n').filter((l) => l.startsWith('o2o_kafka_events_consumed_total') || l.startsWith('o2o_kafka_batch_duration_seconds_sum') || l.startsWith('o2o_kafka_batch_duration_seconds_count') || l.startsWith('o2o_kafka_batch_retries') || l.startsWith('o2o_kafka_dead'));
    process.stderr.write(`${(Date.now() - t0) / 1000}s ${consumed.join(' | ')}\n`);
    if (consumed.some((l) => l.includes('identity.events') && l.startsWith('o2o_kafka_events_consumed_total') && Number(l.split(' ').pop()) >= events.length)) break;
  }
  await producer.disconnect();
  await svc.app.close();
}, 150_000);
