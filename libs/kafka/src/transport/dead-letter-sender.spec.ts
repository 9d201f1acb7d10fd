import { randomBytes } from 'node:crypto';
import { Message } from 'kafkajs';
import { deadLetterHeaders, IdentitySnapshotDataV1, TopicDefinition, topics } from '@o2o/contracts';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { DataKeySource, keySubject, openDeadLetter, sealedDeadLetterHeader, sealEvent } from '../data-keys';
import { createEnvelope } from '../envelope-factory';
import { MemoryDataKeys } from '../memory-data-keys';
import { TopicNames } from '../topic-names';
import { deadLetterMessage, DeadLetterSender } from './dead-letter-sender';
import { DeadLetter } from './partition-batch';
import { message } from './partition-batch.fixture';

const names = new TopicNames('p.');
const topicByName = new Map<string, TopicDefinition>(Object.values(topics).map((t) => [t.name, t as TopicDefinition]));
const letter = (
  value: string | Buffer | null,
  offset: number,
  options: { key?: string; headers?: Record<string, string> } = {},
): DeadLetter => ({
  message: message(value, offset, options),
  partition: 3,
  reason: 'invalid-json',
  error: 'x'.repeat(5000),
  attempts: 0,
});

function sender(dataKeys?: DataKeySource) {
  const published: Array<{ topic: string; messages: Message[] }> = [];
  const metrics = new PlatformMetrics('dead-letter-sender-spec');
  const publisher = {
    publishRaw: async (topic: string, messages: Message[]) => {
      published.push({ topic, messages });
    },
  };
  return {
    published,
    metrics,
    sender: new DeadLetterSender({
      publisher,
      names,
      groupId: 'grp',
      dataKeys,
      metrics,
      logger: createLogger({ service: 'dls-spec', level: 'silent' }),
      topicByName,
    }),
  };
}

describe('dead letters', () => {
  it('carries the origin, reason, attempts and a bounded error in headers, beside the original headers', () => {
    const l = letter('{bad', 17, { key: 'k', headers: { traceparent: 'tp' } });
    const m = deadLetterMessage(l, l.message.value, {
      clusterTopic: 'p.identity.snapshots.v1',
      groupId: 'grp',
      failedAt: '2026-12-07T00:00:00.000Z',
    });
    const headers = m.headers ?? {};
    expect(m.value?.toString()).toBe('{bad');
    expect(headers['traceparent']).toBe('tp');
    expect(headers[deadLetterHeaders.originalTopic]).toBe('p.identity.snapshots.v1');
    expect(headers[deadLetterHeaders.originalPartition]).toBe('3');
    expect(headers[deadLetterHeaders.originalOffset]).toBe('17');
    expect(headers[deadLetterHeaders.consumerGroup]).toBe('grp');
    expect(headers[deadLetterHeaders.reason]).toBe('invalid-json');
    expect(headers[deadLetterHeaders.attempts]).toBe('0');
    expect(String(headers[deadLetterHeaders.error])).toHaveLength(4000);
    expect(headers[sealedDeadLetterHeader]).toBeUndefined();
  });

  it('publishes to the group dead-letter topic and counts each by reason', async () => {
    const s = sender();
    await s.sender.send(
      'p.identity.snapshots.v1',
      [letter('{bad', 1), { ...letter('{}', 2), reason: 'business-rule' }],
      'identity.snapshots.v1',
    );
    expect(s.published.map((p) => [p.topic, p.messages.length])).toEqual([[names.deadLetter('grp'), 2]]);
    expect((await s.metrics.deadLettered.get()).values.map((v) => [v.labels['reason'], v.value]).sort()).toEqual([
      ['business-rule', 1],
      ['invalid-json', 1],
    ]);
  });

  it("seals a value in clear under its subject's key (ce_subject, else the key) and leaves sealed events as they are", async () => {
    const keys = new MemoryDataKeys();
    const s = sender(keys);
    const sealedEvent = sealEvent(
      createEnvelope<'identity.snapshot', IdentitySnapshotDataV1>({
        type: 'identity.snapshot',
        version: 1,
        source: '/t',
        subject: 'c2',
        data: { customerId: 'c2', identifiers: [], mergedIds: [], updatedAt: new Date(0).toISOString() },
      }),
      { kid: 'dk', key: randomBytes(32) },
    );
    const clear = letter('{"email":"a@example.org"', 1, { key: 'k1', headers: { ce_subject: 'c1' } });
    const already = letter(JSON.stringify(sealedEvent), 2, { key: 'c2' });
    const empty = letter(null, 3, { key: 'c3' });
    await s.sender.send('p.identity.snapshots.v1', [clear, already, empty], 'identity.snapshots.v1');
    const [first, second, third] = s.published[0]?.messages ?? [];
    const key = keys.keys.get(keySubject('customer', 'c1'));
    expect(key).toBeDefined();
    expect(first?.headers?.[sealedDeadLetterHeader]).toBe('true');
    expect(first?.value?.toString()).not.toContain('example.org');
    expect(openDeadLetter(Buffer.from(first?.value ?? ''), key?.key ?? Buffer.alloc(0)).toString()).toBe('{"email":"a@example.org"');
    expect(second?.value?.toString()).toBe(JSON.stringify(sealedEvent));
    expect(second?.headers?.[sealedDeadLetterHeader]).toBeUndefined();
    expect(third?.value).toBeNull();
    expect([...keys.keys.keys()]).toEqual([keySubject('customer', 'c1')]);
  });
});
