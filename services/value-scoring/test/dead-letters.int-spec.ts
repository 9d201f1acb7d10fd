import { deadLetterHeaders, Envelope, messageHeaders, topics } from '@o2o/contracts';
import { createEnvelope, redrivenFromHeader } from '@o2o/kafka';
import { startService } from '@o2o/runtime';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { authHeader, expectEventually, repoRoot, testEnvironment, testToken, TopicSpy, uniqueId, serviceUnderTest } from '@o2o/testing';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

const run = uniqueId();

interface Letter {
  partition: number;
  offset: string;
  key: string | null;
  originalTopic: string;
  reason: string;
  eventId: string | null;
  status: string;
  action?: { action: string; by: string; client: string; reason: string };
}

/**
 * Dead-letter operations through the operator API of a real service (value-scoring): list,
 * inspect, re-drive to the original topic in order (and the re-driven events take effect), discard,
 * each recorded with who did it and why.
 */
describe('dead-letter operations (value-scoring, real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;
  const dlq = () => `${run}.dlq.${sut.config.KAFKA_GROUP_ID}.v1`;
  const customer = `${run}-redriven`;

  const purchase = (n: number): Envelope => {
    const messageId = `${run}-order-${n}`;
    const at = new Date(Date.UTC(2026, 0, n)).toISOString();
    return createEnvelope({
      id: `src:${messageId}`,
      type: 'customer-event.resolved',
      version: 1,
      source: '/services/identity-resolution',
      subject: customer,
      time: at,
      data: {
        messageId,
        sourceId: 'test-store',
        channel: 'store' as const,
        eventType: 'track' as const,
        event: 'Order Completed',
        userId: customer,
        properties: { order_id: messageId, revenue: 10 * n, category: 'shoes' },
        timestamp: at,
        receivedAt: at,
        customerId: customer,
        identifiers: [{ type: 'userId', value: customer }],
      },
    });
  };

  const api = async (path: string, body?: unknown, who: Parameters<typeof authHeader>[0] = 'operator') => {
    const response = await fetch(`${sut.service.url}/admin/v1/dead-letters${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(await authHeader(who)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const letters = async (): Promise<Letter[]> => (await api('')).body['letters'] as Letter[];

  const sut = serviceUnderTest({
    config: () => loadValueScoringConfig(testEnvironment(run, 'value-scoring-dlq', { SCHEDULER_ENABLED: 'false' })),
    start: (config) => startService(valueScoringService, config, 0),
    producer: true,
  });

  it('lists, inspects, re-drives in order and discards dead letters, recording who did what', async () => {
    // A message wrong in itself: the consumer dead-letters it.
    await sut.producer.send({
      topic: topic(topics.identityEvents.name),
      acks: -1,
      messages: [{ key: `${run}-poison`, value: '{"type":"customer-event.resolved","data":' }],
    });
    // Two good events dead-lettered earlier (as after a bug since fixed), with the headers the transport writes.
    const good = [purchase(1), purchase(2)];
    await sut.producer.send({
      topic: dlq(),
      acks: -1,
      messages: good.map((event, i) => ({
        key: customer,
        value: JSON.stringify(event),
        headers: {
          [messageHeaders.eventId]: event.id,
          [messageHeaders.eventType]: event.type,
          [deadLetterHeaders.originalTopic]: topic(topics.identityEvents.name),
          [deadLetterHeaders.originalPartition]: '0',
          [deadLetterHeaders.originalOffset]: String(100 + i),
          [deadLetterHeaders.consumerGroup]: sut.config.KAFKA_GROUP_ID,
          [deadLetterHeaders.reason]: 'processing-failed',
          [deadLetterHeaders.error]: 'Error: a bug since fixed',
          [deadLetterHeaders.attempts]: '4',
          [deadLetterHeaders.failedAt]: new Date().toISOString(),
        },
      })),
    });

    await expectEventually(async () => expect(await letters()).toHaveLength(3), { timeoutMs: 60000, intervalMs: 500 });
    const listed = await letters();
    const poison = listed.find((l) => l.key === `${run}-poison`);
    const orders = listed.filter((l) => l.key === customer);
    expect(poison).toMatchObject({ reason: 'invalid-json', status: 'pending', originalTopic: topic(topics.identityEvents.name) });
    expect(orders.map((l) => [l.eventId, l.status])).toEqual(good.map((e) => [e.id, 'pending']));

    const inspected = await api(`/${poison?.partition}/${poison?.offset}`);
    expect(inspected.status).toBe(200);
    expect(inspected.body['value']).toBe('{"type":"customer-event.resolved","data":');
    expect((inspected.body['headers'] as Record<string, string>)[deadLetterHeaders.reason]).toBe('invalid-json');

    // Reading needs dead-letters:read; an agent may not even list.
    expect((await api('', undefined, 'agent')).status).toBe(403);

    const spy = await TopicSpy.start(sut.config.KAFKA_BROKERS, [topic(topics.identityEvents.name)]);
    try {
      const redriven = await api('/redrive', {
        letters: orders.map((l) => ({ partition: l.partition, offset: l.offset })),
        reason: 'bug fixed in 1.2.3',
      });
      expect(redriven).toEqual({ status: 200, body: { redriven: 2, topics: { [topic(topics.identityEvents.name)]: 2 } } });

      // Back on the original topic in their order, marked, and they take effect.
      await spy.waitUntilCaughtUp();
      const back = spy.messages.filter((m) => m.headers[redrivenFromHeader] !== undefined);
      expect(back.map((m) => m.headers[messageHeaders.eventId])).toEqual(good.map((e) => e.id));
      expect(back.every((m) => m.headers[deadLetterHeaders.reason] === undefined)).toBe(true);
      await expectEventually(
        async () => {
          const response = await fetch(`${sut.service.url}/v1/customers/${encodeURIComponent(customer)}/value`, {
            headers: await authHeader('agent'),
          });
          expect(response.status).toBe(200);
          expect((await response.json()) as { purchases: number; revenue: number }).toMatchObject({ purchases: 2, revenue: 30 });
        },
        { timeoutMs: 60000, intervalMs: 250 },
      );
    } finally {
      await spy.stop();
    }

    // Once only, and the same letter cannot then be discarded.
    const ref = orders.map((l) => ({ partition: l.partition, offset: l.offset }));
    expect((await api('/redrive', { letters: ref, reason: 'again' })).status).toBe(409);
    expect((await api('/discard', { letters: ref.slice(0, 1), reason: 'oops' })).status).toBe(409);
    expect((await api('/discard', { letters: [{ partition: poison?.partition, offset: poison?.offset }] })).status).toBe(400);

    const discarded = await api('/discard', {
      letters: [{ partition: poison?.partition, offset: poison?.offset }],
      reason: 'truncated by a broken client; nothing to recover',
    });
    expect(discarded).toEqual({ status: 200, body: { discarded: 1 } });

    const after = await letters();
    expect(after.find((l) => l.key === `${run}-poison`)).toMatchObject({
      status: 'discarded',
      action: { action: 'discarded', reason: 'truncated by a broken client; nothing to recover', client: 'demo-operator' },
    });
    expect(after.filter((l) => l.key === customer).map((l) => [l.status, l.action?.reason])).toEqual([
      ['redriven', 'bug fixed in 1.2.3'],
      ['redriven', 'bug fixed in 1.2.3'],
    ]);
    expect((await api('?status=pending')).body['letters']).toEqual([]);
    // Nothing left to re-drive.
    expect((await api('/redrive', { all: true, reason: 'sweep' })).body).toEqual({ redriven: 0, topics: {} });

    // The same from a shell: npm run dead-letters (the built CLI) with an operator token. Not
    // spawnSync: the service answering it runs in this process.
    const cli = await promisify(execFile)(
      'node',
      [join(repoRoot(), 'libs', 'runtime', 'dist', 'cli', 'dead-letters.js'), sut.service.url, 'list', '--status', 'discarded'],
      {
        env: { PATH: process.env['PATH'] ?? '', OPERATOR_TOKEN: await testToken('operator') },
        encoding: 'utf8',
      },
    );
    expect(cli.stderr).toBe('');
    expect((JSON.parse(cli.stdout) as { letters: Letter[] }).letters.map((l) => l.key)).toEqual([`${run}-poison`]);
  });
});
