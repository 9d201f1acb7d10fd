import { Envelope, topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { startService } from '@o2o/runtime';
import { serviceUnderTest, testEnvironment } from '@o2o/testing';
import type { Producer } from 'kafkajs';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

/**
 * value-scoring started for a demo-traffic spec: on the run's topics, with its schedulers off
 * (the spec runs the model jobs itself), a spy on value.scores and a producer for the input.
 */
export function demoValueScoringUnderTest(run: string) {
  return serviceUnderTest({
    config: () => loadValueScoringConfig(testEnvironment(run, 'value-scoring', { SCHEDULER_ENABLED: 'false' })),
    start: (config) => startService(valueScoringService, config, 0),
    spyOn: () => [`${run}.${topics.valueScores.name}`],
    producer: true,
  });
}

/**
 * Demo messages (libs/testing's DemoPopulation: live traffic or the imported history) as
 * identity-resolution would publish them, for value-scoring's tests without identity-resolution:
 * each signed-up customer's orders keyed on `${run}-${userId}` (what it resolves a demo customer
 * to). Anonymous browsing carries no order and is left out.
 */
export function demoResolvedEvents(run: string, messages: Iterable<{ channel: string; message: Record<string, unknown> }>): Envelope[] {
  const events: Envelope[] = [];
  for (const { channel, message } of messages) {
    const userId = message['userId'];
    if (message['type'] !== 'track' || typeof userId !== 'string') continue;
    const customerId = `${run}-${userId}`;
    const messageId = String(message['messageId']);
    events.push(
      createEnvelope({
        id: `demo:${messageId}`,
        type: 'customer-event.resolved',
        version: 1,
        source: '/services/identity-resolution',
        subject: customerId,
        data: {
          messageId,
          sourceId: `demo-${channel}`,
          channel,
          eventType: 'track' as const,
          event: String(message['event']),
          userId,
          properties: (message['properties'] ?? {}) as Record<string, unknown>,
          timestamp: String(message['timestamp']),
          receivedAt: new Date().toISOString(),
          customerId,
          identifiers: [{ type: 'userId', value: userId }],
        },
      }),
    );
  }
  return events;
}

/** Sends envelopes to a topic keyed by subject, 500 a request. */
export async function sendEnvelopes(producer: Producer, topic: string, events: readonly Envelope[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
  }
}
