import { IHeaders, Kafka, logLevel } from 'kafkajs';
import { openDeadLetter, openEvent } from '@o2o/kafka';
import {
  authHeader,
  expectEventually,
  ReadPositions,
  startServiceProcess,
  ServiceProcess,
  testEnvironment,
  uniqueId,
  waitForConsumerGroups,
} from '../src';

/**
 * Crypto-shredding, end to end, on real servers: two customers' events go through all five
 * services (over HTTP, through the Kafka intake, one refused element each), the first customer is
 * erased, and then every topic of the deployment is read from offset 0. Whatever is sealed is
 * opened with every key the key store still gives out, as any platform consumer could: the erased
 * customer's e-mail, name and phone are nowhere readable, the other customer's still are, and a
 * consumer replaying the topics counts the erased customer's messages as shredded instead of
 * crashing or dead-lettering them.
 */
const run = uniqueId();
const others = ['ingestion', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
const topic = (name: string) => `${run}.${name}`;
const brokers = () => (process.env['KAFKA_BROKERS'] ?? '').split(',');
const webWriteKey = 'demo-web-write-key';

interface StoredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  headers: string;
  value: string;
}

interface Person {
  userId: string;
  email: string;
  name: string;
  phone: string;
}

function person(label: string): Person {
  const id = uniqueId(label);
  const digits = String(Math.floor(1e6 + Math.random() * 8e6));
  // A name no other test uses, so finding it means finding this customer.
  return { userId: `${id}-user`, email: `${id}@shred-mail.net`, name: `Quentin${id}`, phone: `+49 30 ${digits}` };
}

/** Every message of every topic of this test's deployment, from offset 0 to the end as of now. */
async function readEveryTopic(kafka: Kafka): Promise<StoredMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const names = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
  const wanted = new Map<string, number>();
  for (const name of names) {
    for (const p of await admin.fetchTopicOffsets(name))
      if (Number(p.high) > Number(p.low)) wanted.set(`${name}/${p.partition}`, Number(p.high));
  }
  await admin.disconnect();
  const messages: StoredMessage[] = [];
  if (wanted.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: uniqueId('shred-scan-'), allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: names, fromBeginning: true });
    const reached = new Set<string>();
    const positions = new ReadPositions(consumer);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`topics not read to the end: ${[...wanted.keys()].filter((k) => !reached.has(k)).join(', ')}`)),
        90000,
      );
      // ingest.events is written in transactions: its last offsets are markers, read but never handed out.
      const check = setInterval(() => {
        for (const [id, high] of wanted) {
          const at = id.lastIndexOf('/');
          if (positions.of(id.slice(0, at), Number(id.slice(at + 1))) >= high) reached.add(id);
        }
        if (reached.size === wanted.size) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: name, partition, message }) => {
          const id = `${name}/${partition}`;
          const high = wanted.get(id);
          if (high === undefined || reached.has(id)) return;
          if (Number(message.offset) < high) {
            messages.push({
              topic: name,
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              headers: headerText(message.headers),
              value: message.value?.toString() ?? '',
            });
          }
          if (Number(message.offset) + 1 >= high) reached.add(id);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

function headerText(headers: IHeaders | undefined): string {
  return Object.entries(headers ?? {})
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.map(String).join(',') : String(value ?? '')}`)
    .join('\n');
}

/** The key ids a stored value is sealed under (a sealed event, or a dead letter sealed whole). */
function keyIdOf(value: string): string | undefined {
  if (!value.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as { datakeyid?: unknown };
    return typeof parsed.datakeyid === 'string' ? parsed.datakeyid : undefined;
  } catch {
    return undefined;
  }
}

describe('erasure reaches the logs: crypto-shredding (five processes, real servers)', () => {
  const running = new Map<string, ServiceProcess>();
  const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING });
  const erased = person('shred-a');
  const kept = person('shred-b');
  let keysUrl = '';

  const url = (service: string) => {
    const p = running.get(service);
    if (!p) throw new Error(`${service} not running`);
    return p.url;
  };
  const send = (path: string, body: unknown) =>
    fetch(`${url('ingestion')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${webWriteKey}:`).toString('base64')}` },
      body: JSON.stringify(body),
    });
  const sealedEnv = (name: string, extra: Record<string, string> = {}) =>
    testEnvironment(run, name, {
      INGESTION_DEMO_SOURCES: 'true',
      DATA_SEALING: 'true',
      DATA_KEYS_URL: keysUrl,
      DATA_KEYS_CACHE_SECONDS: '1',
      ...extra,
    });

  /** Opens what it can: a value sealed under a key the store still has reads as its plain text. */
  async function readable(messages: StoredMessage[]): Promise<Map<StoredMessage, string>> {
    const kids = [...new Set(messages.map((m) => keyIdOf(m.value)).filter((k): k is string => k !== undefined))];
    const keys = new Map<string, Buffer>();
    for (let at = 0; at < kids.length; at += 1000) {
      const response = await fetch(`${url('identity-resolution')}/v1/data-keys/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader('service')) },
        body: JSON.stringify({ kids: kids.slice(at, at + 1000) }),
      });
      expect(response.status).toBe(200);
      for (const k of ((await response.json()) as { keys: Array<{ kid: string; key: string }> }).keys)
        keys.set(k.kid, Buffer.from(k.key, 'base64'));
    }
    const texts = new Map<StoredMessage, string>();
    for (const m of messages) {
      let opened = '';
      const kid = keyIdOf(m.value);
      const key = kid === undefined ? undefined : keys.get(kid);
      if (key) {
        const parsed = JSON.parse(m.value) as Record<string, unknown>;
        opened =
          parsed['o2osealed'] === 'dead-letter'
            ? openDeadLetter(Buffer.from(m.value), key).toString()
            : JSON.stringify(openEvent(parsed, key));
      }
      texts.set(m, [m.key, m.headers, m.value, opened].join('\n'));
    }
    return texts;
  }

  beforeAll(async () => {
    // The key store's service first: the others are configured with its address.
    running.set(
      'identity-resolution',
      await startServiceProcess(
        'identity-resolution',
        testEnvironment(run, 'identity-resolution', { DATA_SEALING: 'true', DATA_KEYS_CACHE_SECONDS: '1' }),
      ),
    );
    keysUrl = url('identity-resolution');
    for (const name of others) running.set(name, await startServiceProcess(name, sealedEnv(name)));

    for (const p of [erased, kept]) {
      const identify = { userId: p.userId, traits: { email: p.email, firstName: p.name, phone: p.phone } };
      expect((await send('/v1/identify', identify)).status).toBe(200);
      expect(
        (
          await send('/v1/track', {
            userId: p.userId,
            event: 'Order Completed',
            properties: { order_id: uniqueId('o-'), revenue: 40, products: [{ category: 'garden', price: 40 }] },
          })
        ).status,
      ).toBe(200);
      // One valid element and one refused (a timestamp that is no time): the refused one, with its raw text, goes to ingest.rejected.
      const batch = await send('/v1/batch', {
        batch: [
          { type: 'identify', ...identify },
          { type: 'identify', ...identify, timestamp: 'not a time' },
        ],
      });
      expect(batch.status).toBeLessThan(300);
    }
    // Channels on Kafka: the intake topic, keyed by userId; one message each that ingestion refuses.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topic('ingest.intake.v1'),
      messages: [erased, kept].flatMap((p) => [
        {
          key: p.userId,
          value: JSON.stringify({ type: 'identify', userId: p.userId, traits: { email: p.email, name: p.name, phone: p.phone } }),
          headers: { 'write-key': webWriteKey },
        },
        {
          key: p.userId,
          value: JSON.stringify({ type: 'identify', userId: p.userId, traits: { email: p.email }, timestamp: 'never' }),
          headers: { 'write-key': webWriteKey },
        },
      ]),
    });
    await producer.disconnect();
    await waitForConsumerGroups(
      brokers(),
      ['identity-resolution', ...others].map((name) => `${run}.${name}`),
      { timeoutMs: 180000 },
    );
  }, 420000);

  afterAll(async () => {
    await Promise.all([...running.values()].map((p) => p.stop()));
  });

  it('carries personal data sealed: nothing in clear, readable with the keys', async () => {
    const messages = await readEveryTopic(kafka);
    const events = messages.filter((m) => m.topic === topic('identity.events.v1'));
    expect(events.length).toBeGreaterThan(0);
    for (const name of ['ingest.events.v1', 'ingest.rejected.v1', 'identity.events.v1', 'identity.changes.v1', 'identity.snapshots.v1']) {
      for (const m of messages.filter((x) => x.topic === topic(name) && x.value !== '')) {
        expect({
          topic: name,
          sealed: keyIdOf(m.value) !== undefined,
          clear: m.value.includes(kept.email) || m.value.includes(erased.email),
        }).toEqual({ topic: name, sealed: true, clear: false });
      }
    }
    const texts = await readable(messages);
    const readableOn = (name: string, value: string) =>
      messages.some((m) => m.topic === topic(name) && (texts.get(m) ?? '').includes(value));
    for (const p of [erased, kept]) {
      expect({
        email: p.email,
        events: readableOn('ingest.events.v1', p.email),
        resolved: readableOn('identity.events.v1', p.email),
        rejected: readableOn('ingest.rejected.v1', p.email),
      }).toEqual({
        email: p.email,
        events: true,
        resolved: true,
        rejected: true,
      });
    }
  }, 120000);

  it('erases the customer: every topic read from offset 0 holds nothing readable of them, the other customer stays readable', async () => {
    const officer = await authHeader('privacy-officer');
    const started = await fetch(`${url('identity-resolution')}/v1/privacy/customers/email/${encodeURIComponent(erased.email)}/erasure`, {
      method: 'POST',
      headers: officer,
    });
    expect(started.status).toBe(202);
    const { requestId } = (await started.json()) as { requestId: string };
    const status = await expectEventually(
      async () => {
        const body = (await (
          await fetch(`${url('identity-resolution')}/v1/privacy/requests/${requestId}`, { headers: officer })
        ).json()) as { status: string; services: Record<string, { deleted?: Record<string, number> } | null> };
        expect(body.status).toBe('completed');
        return body;
      },
      { timeoutMs: 150000, intervalMs: 500 },
    ).catch((error: unknown) => {
      for (const [name, p] of running) console.error(`--- ${name}\n${p.output().slice(-3000)}`);
      throw error;
    });
    // The customer's id and userId subjects had keys; the intake's consumed records were deleted.
    expect(status.services['identity-resolution']?.deleted?.['keys:data_keys']).toBeGreaterThanOrEqual(2);
    expect(status.services['ingestion']?.deleted?.['kafka:intake_records']).toBeGreaterThanOrEqual(4);

    // A consumer replaying everything from offset 0 meets the erased customer's sealed events as shredded.
    const replay = await startServiceProcess(
      'needs-profiling',
      sealedEnv('needs-profiling', { KAFKA_GROUP_ID: 'needs-profiling-replay', KAFKA_FROM_BEGINNING: 'true' }),
    );
    try {
      await waitForConsumerGroups(brokers(), [`${run}.needs-profiling-replay`], { timeoutMs: 120000 });
      const metrics = await (await fetch(`${replay.managementUrl}/metrics`)).text();
      const shredded = [...metrics.matchAll(/^o2o_kafka_events_shredded_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(shredded).toBeGreaterThan(0);
      expect(replay.exitCode()).toBeNull();
    } finally {
      await replay.stop();
    }

    const messages = await readEveryTopic(kafka);
    // Nothing was dead-lettered for want of a key.
    expect(messages.filter((m) => m.topic.startsWith(`${run}.dlq.`)).map((m) => m.headers)).toEqual([]);
    const texts = await readable(messages);
    const traces = [erased.email, erased.name, erased.phone, erased.phone.replace(/\D/g, '')];
    const topicsRead = new Set(messages.map((m) => m.topic));
    expect(topicsRead.size).toBeGreaterThanOrEqual(6);
    for (const m of messages) {
      const text = texts.get(m) ?? '';
      for (const trace of traces)
        expect({ topic: m.topic, offset: m.offset, trace, found: text.includes(trace) }).toEqual({
          topic: m.topic,
          offset: m.offset,
          trace,
          found: false,
        });
    }
    const readableOn = (name: string, value: string) =>
      messages.some((m) => m.topic === topic(name) && (texts.get(m) ?? '').includes(value));
    expect({
      events: readableOn('ingest.events.v1', kept.email),
      resolved: readableOn('identity.events.v1', kept.email),
      snapshots: readableOn('identity.snapshots.v1', kept.email),
    }).toEqual({
      events: true,
      resolved: true,
      snapshots: true,
    });
  }, 300000);
});
