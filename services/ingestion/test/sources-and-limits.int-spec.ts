import { topics } from '@o2o/contracts';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import { RunningService, startService } from '@o2o/runtime';
import { expectEventually, testEnvironment, testToken, TopicSpy, uniqueId } from '@o2o/testing';
import { createHmac } from 'node:crypto';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { ingestionService } from '../src/ingestion.service';

const run = uniqueId();
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

interface CreatedSource {
  id: string;
  writeKey: string;
  signingSecret?: string;
  enabled: boolean;
  keys: unknown[];
}

describe('ingestion sources, signatures, rate limits and every call type (real servers)', () => {
  let service: RunningService;
  let spy: TopicSpy;
  const eventsTopic = `${run}.${topics.ingestEvents.name}`;

  // An operator's real token from the test identity provider (sources:admin).
  const admin = async (method: string, path: string, body?: unknown, token?: string) =>
    fetch(`${service.url}/admin/v1/sources${path}`, {
      method,
      headers: { authorization: `Bearer ${token ?? (await testToken('operator'))}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const send = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: basic(key), 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const seen = (messageId: string) =>
    spy.on(eventsTopic).filter((m) => (m.value as { data: { messageId: string } }).data.messageId === messageId);

  beforeAll(async () => {
    startTelemetry({ serviceName: 'ingestion-test' });
    const config = loadIngestionConfig(
      testEnvironment(run, 'ingestion', { RATE_LIMIT_EVENTS_PER_SECOND: '20', PURPOSE_REQUIRED_FOR: 'Question Answered' }),
    );
    service = await startService(ingestionService, config, 0);
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [eventsTopic]);
  });

  afterAll(async () => {
    await spy?.stop();
    await service?.app.close();
    await stopTelemetry();
  });

  it('guards the admin API with the operator scope sources:admin (real tokens)', async () => {
    expect((await admin('GET', '', undefined, '')).status).toBe(401);
    expect((await admin('GET', '', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await admin('GET', '', undefined, await testToken('marketer'))).status).toBe(403);
    const bad = await admin('POST', '', { name: 'x', channel: 'fax' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('channel');
  });

  it('creates, lists, rotates (two keys valid) and disables a source', async () => {
    const created = (await (await admin('POST', '', { name: 'Store POS Berlin', channel: 'store' })).json()) as CreatedSource;
    expect(created.writeKey).toMatch(/^wk_/);
    const listed = (await (await admin('GET', '')).json()) as { sources: Array<Record<string, unknown>> };
    const mine = listed.sources.find((s) => s['id'] === created.id);
    expect(mine).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(created.writeKey);

    const m1 = uniqueId('m');
    expect((await send('/v1/track', created.writeKey, { userId: 'pos-1', event: 'Order Completed', messageId: m1 })).status).toBe(200);

    const rotated = (await (await admin('POST', `/${created.id}/rotate`, { graceSeconds: 3600 })).json()) as CreatedSource;
    expect(rotated.writeKey).not.toBe(created.writeKey);
    expect(rotated.keys).toHaveLength(2);
    expect((await send('/v1/track', created.writeKey, { userId: 'pos-1', event: 'Old Key', messageId: uniqueId('m') })).status).toBe(200);
    expect((await send('/v1/track', rotated.writeKey, { userId: 'pos-1', event: 'New Key', messageId: uniqueId('m') })).status).toBe(200);

    const zero = (await (await admin('POST', `/${created.id}/rotate`, { graceSeconds: 0 })).json()) as CreatedSource;
    expect(zero.keys).toHaveLength(1);
    expect((await send('/v1/track', rotated.writeKey, { userId: 'pos-1', event: 'Expired Key', messageId: uniqueId('m') })).status).toBe(
      401,
    );

    expect((await admin('POST', `/${created.id}/disable`)).status).toBe(200);
    const refused = await send('/v1/track', zero.writeKey, { userId: 'pos-1', event: 'Disabled', messageId: uniqueId('m') });
    expect(refused.status).toBe(403);
    await expectEventually(() => expect(seen(m1)).toHaveLength(1));
  });

  it('requires a valid HMAC signature when the source says so', async () => {
    const created = (await (
      await admin('POST', '', { name: 'Dealer feed', channel: 'dealer', requireSignature: true })
    ).json()) as CreatedSource;
    const secret = created.signingSecret ?? '';
    expect(secret).toMatch(/^ss_/);
    const body = { userId: 'dealer-cust-1', event: 'Test Drive Booked', messageId: uniqueId('m') };
    const raw = JSON.stringify(body);
    const unsigned = await send('/v1/track', created.writeKey, body);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const signed = await fetch(`${service.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(created.writeKey), 'content-type': 'application/json', 'x-signature': signature },
      body: raw,
    });
    expect(signed.status).toBe(200);
  });

  it('accepts every Segment call type and a batch', async () => {
    const created = (await (await admin('POST', '', { name: 'Web shop', channel: 'web' })).json()) as CreatedSource;
    const calls: Array<[string, Record<string, unknown>]> = [
      ['/v1/identify', { userId: 'c1', traits: { email: 'c1@example.com' } }],
      ['/v1/track', { userId: 'c1', event: 'Product Viewed', properties: { category: 'shoes' } }],
      ['/v1/page', { anonymousId: 'a1', name: 'Home', properties: { path: '/' } }],
      ['/v1/screen', { userId: 'c1', name: 'Basket' }],
      ['/v1/group', { userId: 'c1', groupId: 'acme' }],
      ['/v1/alias', { userId: 'c1', previousId: 'a1' }],
    ];
    const ids: string[] = [];
    for (const [path, body] of calls) {
      const messageId = uniqueId('m');
      ids.push(messageId);
      const response = await send(path, created.writeKey, { ...body, messageId });
      expect(response.status).toBe(200);
    }
    const batchIds = [uniqueId('b'), uniqueId('b')];
    const batch = await send('/v1/batch', created.writeKey, {
      batch: [
        { type: 'track', userId: 'c2', event: 'Order Completed', messageId: batchIds[0] },
        { type: 'identify', userId: 'c2', traits: { plan: 'pro' }, messageId: batchIds[1] },
      ],
      context: { library: { name: 'analytics-node' } },
    });
    expect(batch.status).toBe(200);
    await expectEventually(() => {
      for (const id of [...ids, ...batchIds]) expect(seen(id)).toHaveLength(1);
    });
    const types = ids.map((id) => (seen(id)[0]?.value as { data: { eventType: string } }).data.eventType);
    expect(types).toEqual(['identify', 'track', 'page', 'screen', 'group', 'alias']);
    const batched = seen(batchIds[0] ?? '')[0]?.value as { data: { context: { library: { name: string } } } };
    expect(batched.data.context.library.name).toBe('analytics-node');
  });

  it('answers 429 with Retry-After once a source exceeds its rate', async () => {
    const created = (await (await admin('POST', '', { name: 'Busy app', channel: 'app' })).json()) as CreatedSource;
    const batch = Array.from({ length: 15 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Tap', messageId: uniqueId('r') }));
    expect((await send('/v1/batch', created.writeKey, { batch })).status).toBe(200);
    const limited = await send('/v1/batch', created.writeKey, { batch: batch.map((m) => ({ ...m, messageId: uniqueId('r') })) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('rejects facts without a stated purpose where configuration requires one', async () => {
    const created = (await (await admin('POST', '', { name: 'Call centre', channel: 'call-centre' })).json()) as CreatedSource;
    const missing = await send('/v1/track', created.writeKey, {
      userId: 'c9',
      event: 'Question Answered',
      properties: { questionId: 'q', answer: 'yes' },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { issues: Array<{ field: string; code: string }> } }).error.issues).toEqual([
      expect.objectContaining({ field: 'context.purpose', code: 'required' }),
    ]);
    const unknown = await send('/v1/track', created.writeKey, {
      userId: 'c9',
      event: 'Question Answered',
      context: { purpose: 'resale' },
      properties: { answer: 'yes' },
    });
    expect(unknown.status).toBe(400);
    const stated = await send('/v1/track', created.writeKey, {
      userId: 'c9',
      event: 'Question Answered',
      context: { purpose: 'personalisation' },
      properties: { questionId: 'q', answer: 'yes' },
    });
    expect(stated.status).toBe(200);
  });

  it('serves its OpenAPI document', async () => {
    const document = (await (await fetch(`${service.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch', '/v1/import']),
    );
  });
});
