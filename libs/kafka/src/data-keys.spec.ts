import { randomBytes } from 'node:crypto';
import { sealedEnvelopeSchema, topics } from '@o2o/contracts';
import { PlatformMetrics } from '@o2o/observability';
import {
  CachedDataKeys,
  DataKey,
  DataKeySource,
  openDeadLetter,
  openEvent,
  SealBrokenError,
  sealDeadLetter,
  sealedDeadLetterKeyId,
  sealedKeyId,
  sealEvent,
} from './data-keys';
import { createEnvelope } from './envelope-factory';
import { MemoryDataKeys } from './memory-data-keys';
import { KafkaPublisher, PublishTimeoutError } from './publisher';
import { recordingProducers } from './recording-producer.fixture';
import { TopicNames } from './topic-names';

function resolvedEvent(customerId: string, email: string) {
  return createEnvelope({
    type: 'customer-event.resolved',
    version: 1,
    source: '/test',
    subject: customerId,
    data: {
      messageId: 'm1',
      sourceId: 's',
      channel: 'web' as const,
      eventType: 'identify' as const,
      userId: 'u1',
      traits: { email, firstName: 'Annika' },
      timestamp: new Date(0).toISOString(),
      receivedAt: new Date(0).toISOString(),
      customerId,
      identifiers: [{ type: 'email', value: email }],
    },
  });
}

describe('sealing personal data (crypto-shredding)', () => {
  const key: DataKey = { kid: 'dk_1', key: randomBytes(32) };

  it('keeps the envelope attributes in clear and nothing of the data', () => {
    const event = resolvedEvent('cus_1', 'annika@example.org');
    const sealed = sealEvent(event, key);
    expect(sealedEnvelopeSchema.safeParse(sealed).success).toBe(true);
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('annika');
    expect(text).not.toContain('Annika');
    expect(sealed).toMatchObject({ id: event.id, type: event.type, subject: 'cus_1', datakeyid: 'dk_1' });
    expect(sealedKeyId(JSON.parse(text))).toBe('dk_1');
    expect(openEvent(JSON.parse(text) as Record<string, unknown>, key.key)).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('gives every sealed value its own IV, across refills of the IV pool', () => {
    const event = resolvedEvent('cus_1', 'annika@example.org');
    const ivs = new Set<string>();
    const sealedCount = 1500;
    for (let i = 0; i < sealedCount; i++) {
      const sealed = sealEvent(event, key);
      const opened = openEvent(JSON.parse(JSON.stringify(sealed)) as Record<string, unknown>, key.key);
      expect(opened['data']).toEqual(event.data);
      ivs.add(Buffer.from(sealed.data, 'base64url').subarray(0, 12).toString('hex'));
    }
    expect(ivs.size).toBe(sealedCount);
  });

  it('opens data with characters of several UTF-8 bytes intact, without the key id', () => {
    const event = resolvedEvent('cus_1', 'zoë.ünal@example.org');
    const data = { ...event.data, traits: { email: 'zoë.ünal@example.org', firstName: 'Zoë 🐝 李' } };
    const sealed = JSON.parse(JSON.stringify(sealEvent({ ...event, data }, key))) as Record<string, unknown>;
    const opened = openEvent(sealed, key.key);
    expect(opened).toEqual(JSON.parse(JSON.stringify({ ...event, data })));
    expect('datakeyid' in opened).toBe(false);
  });

  it('refuses altered attributes, data or a wrong key', () => {
    const sealed = JSON.parse(JSON.stringify(sealEvent(resolvedEvent('cus_1', 'a@b.org'), key))) as Record<string, unknown>;
    expect(() => openEvent({ ...sealed, subject: 'cus_2' }, key.key)).toThrow(SealBrokenError);
    expect(() => openEvent(sealed, randomBytes(32))).toThrow(SealBrokenError);
    const data = String(sealed['data']);
    expect(() => openEvent({ ...sealed, data: `${data.slice(0, -4)}AAAA` }, key.key)).toThrow(SealBrokenError);
  });

  it('seals a dead letter whole and opens it for a re-drive', () => {
    const raw = Buffer.from('{"type":"identify","userId":"u1","traits":{"email":"annika@example.org"}');
    const sealed = sealDeadLetter(raw, key);
    expect(sealed.toString()).not.toContain('annika');
    expect(sealedDeadLetterKeyId(sealed)).toBe('dk_1');
    expect(sealedDeadLetterKeyId(raw)).toBeUndefined();
    expect(openDeadLetter(sealed, key.key)).toEqual(raw);
  });

  it('asks the key store once per batch for what the process has not seen, and remembers destroyed keys', async () => {
    const store = new MemoryDataKeys();
    const cached = new CachedDataKeys(store, { ttlMs: 60000 });
    const first = await cached.forSubjects(['customer:a', 'customer:b', 'customer:a']);
    expect(store.calls.forSubjects).toBe(1);
    await cached.forSubjects(['customer:a', 'customer:b']);
    expect(store.calls.forSubjects).toBe(1);
    const kidA = first.get('customer:a')?.kid ?? '';
    expect((await cached.byIds([kidA])).get(kidA)).toEqual(first.get('customer:a')?.key);
    expect(store.calls.byIds).toBe(0);
    cached.forget(['customer:a'], [kidA]);
    store.destroy('customer:a');
    expect((await cached.byIds([kidA])).has(kidA)).toBe(false);
    // A later event of the subject gets a new key under a new id.
    const again = await cached.forSubjects(['customer:a']);
    expect(again.get('customer:a')?.kid).not.toBe(kidA);
  });

  it('publishes sealed topics sealed, with one key request per call, and other topics in clear', async () => {
    const { producers, sent } = recordingProducers();
    const store = new MemoryDataKeys();
    const publisher = new KafkaPublisher(producers, new TopicNames(''), new PlatformMetrics('test'), { dataKeys: store });
    await publisher.publish([
      {
        topic: topics.identityEvents,
        events: [resolvedEvent('cus_1', 'one@example.org'), resolvedEvent('cus_2', 'two@example.org')].map((event) => ({
          key: event.subject,
          event,
        })),
      },
    ]);
    expect(store.calls.forSubjects).toBe(1);
    expect([...store.keys.keys()].sort()).toEqual(['customer:cus_1', 'customer:cus_2']);
    const values = sent.flatMap((b) => b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
    expect(values).toHaveLength(2);
    for (const value of values) expect(value).not.toContain('example.org');
    const kid = sealedKeyId(JSON.parse(values[0] ?? '{}')) ?? '';
    const opened = openEvent(
      JSON.parse(values[0] ?? '{}') as Record<string, unknown>,
      (await store.byIds([kid])).get(kid) ?? Buffer.alloc(0),
    );
    expect(opened['data']).toMatchObject({ traits: { email: 'one@example.org' } });
  });

  it('counts the key fetch against a call deadline: a key store that does not answer fails the call, nothing is sent', async () => {
    const { producers, sent } = recordingProducers();
    const silent: DataKeySource = { forSubjects: () => new Promise(() => undefined), byIds: () => new Promise(() => undefined) };
    const publisher = new KafkaPublisher(producers, new TopicNames(''), new PlatformMetrics('test'), { dataKeys: silent });
    const event = resolvedEvent('cus_1', 'one@example.org');
    await expect(
      publisher.publish([{ topic: topics.identityEvents, events: [{ key: 'cus_1', event }] }], { deadline: Date.now() + 50 }),
    ).rejects.toBeInstanceOf(PublishTimeoutError);
    expect(sent).toEqual([]);
  });
});
