import { deflateSync, gzipSync } from 'node:zlib';
import { topics } from '@o2o/contracts';
import { startService } from '@o2o/runtime';
import { expectEventually, testEnvironment, uniqueId, serviceUnderTest } from '@o2o/testing';
import { loadIngestionConfig } from '../src/config/ingestion.config';
import { demoSources } from '../src/demo-sources';
import { ingestionService } from '../src/ingestion.service';

/**
 * The Segment HTTP Tracking API as Segment's own libraries use it: nulls for optional fields,
 * compressed bodies, one-letter paths and CORS for analytics.js, server-filled context.ip and
 * receivedAt, event time clamped to the receipt, and batches accepted element by element.
 */
const run = uniqueId();
const web = demoSources[0] ?? { writeKey: '', id: '' };
const auth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

interface Received {
  data: {
    messageId: string;
    timestamp: string;
    receivedAt: string;
    name?: string;
    category?: string;
    context?: Record<string, unknown>;
    userId?: string;
  };
}
interface Rejected {
  version: number;
  data: { reason: string; raw: string; sourceId?: string; issues: Array<{ field: string }>; http?: { endpoint: string; index?: number } };
}
interface ErrorAnswer {
  success: false;
  error: { code: string; message: string; issues?: Array<{ field: string }> };
}

describe('Segment HTTP Tracking API compatibility (real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;

  const sut = serviceUnderTest({
    config: () => loadIngestionConfig(testEnvironment(run, 'ingestion', { INGESTION_DEMO_SOURCES: 'true', MAX_COMPRESSION_RATIO: '50' })),
    start: (config) => startService(ingestionService, config, 0),
    spyOn: () => [topic(topics.ingestEvents.name), topic(topics.ingestRejected.name)],
  });

  const send = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${sut.service.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth(web.writeKey), 'content-type': 'application/json', ...headers },
      body,
    });

  const received = (messageId: string): Promise<Received> =>
    expectEventually(() => {
      const found = sut.spy.on(topic(topics.ingestEvents.name)).find((m) => (m.value as Received).data.messageId === messageId);
      if (!found) throw new Error(`${messageId} not yet on ingest.events`);
      return found.value as Received;
    });

  it('accepts null wherever the spec has an optional field, as segment-analytics-python sends them', async () => {
    const page = uniqueId('m');
    const screen = uniqueId('m');
    const response = await send(
      '/v1/batch',
      JSON.stringify({
        batch: [
          {
            type: 'page',
            messageId: page,
            userId: 'py-user',
            anonymousId: null,
            name: null,
            category: null,
            properties: {},
            context: {},
            integrations: {},
            timestamp: new Date().toISOString(),
          },
          {
            type: 'screen',
            messageId: screen,
            userId: 'py-user',
            name: 'Home',
            category: null,
            properties: null,
            context: null,
            integrations: null,
            timestamp: null,
          },
        ],
        sentAt: new Date().toISOString(),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
    const stored = await received(page);
    expect(stored.data).not.toHaveProperty('name');
    expect(stored.data).not.toHaveProperty('category');
    expect((await received(screen)).data.name).toBe('Home');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)('reads %s request bodies, limits applied to the decompressed body', async (encoding, compress) => {
    const messageId = uniqueId('m');
    const body = JSON.stringify({
      batch: [{ type: 'track', userId: 'gz-user', event: 'Compressed', messageId }],
      sentAt: new Date().toISOString(),
    });
    const response = await send('/v1/batch', compress(Buffer.from(body)), { 'content-encoding': encoding });
    expect(response.status).toBe(200);
    await received(messageId);

    // 40 KB of varied text compresses to well under the single-call limit of 32 KB; decompressed it is over it.
    const noise = Array.from({ length: 8000 }, (_, i) => `w${(i * 7919) % 10007}`).join(' ');
    const large = await send(
      '/v1/track',
      compress(Buffer.from(JSON.stringify({ userId: 'gz-user', event: 'Big', properties: { noise } }))),
      { 'content-encoding': encoding },
    );
    expect(large.status).toBe(413);
    expect(((await large.json()) as ErrorAnswer).error.code).toBe('too_large');
  });

  it('refuses a compression bomb, corrupt gzip and unknown encodings in its own error body', async () => {
    const bomb = gzipSync(
      Buffer.from(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'X', properties: { pad: ' '.repeat(1_500_000) } }] })),
    );
    const bombAnswer = await send('/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect(bombAnswer.status).toBe(413);
    expect((await bombAnswer.json()) as ErrorAnswer).toMatchObject({ success: false, error: { code: 'too_large' } });

    const corrupt = await send('/v1/batch', Buffer.from('this is not gzip'), { 'content-encoding': 'gzip' });
    expect(corrupt.status).toBe(400);
    expect((await corrupt.json()) as ErrorAnswer).toMatchObject({
      success: false,
      error: { code: 'invalid_encoding', issues: [{ field: '(body)' }] },
    });

    const brotli = await send('/v1/batch', Buffer.from('{}'), { 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect((await brotli.json()) as ErrorAnswer).toMatchObject({
      success: false,
      error: { code: 'unsupported_encoding', issues: [{ field: 'headers.content-encoding' }] },
    });

    // Within the ratio cap but over the body limit once decompressed (2 MB): refused while read.
    const words = Array.from({ length: 400_000 }, (_, i) => `w${(i * 7919) % 100_003}`).join(' ');
    const inflated = await send(
      '/v1/batch',
      gzipSync(Buffer.from(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'X', properties: { words } }] }))),
      { 'content-encoding': 'gzip' },
    );
    expect(inflated.status).toBe(413);
    expect((await inflated.json()) as ErrorAnswer).toMatchObject({ success: false, error: { code: 'too_large' } });

    // A request with a body that is never read (or read no further) does not bring the service down.
    expect((await fetch(`${sut.service.url}/openapi.json`, { headers: { 'content-encoding': 'gzip' } })).status).toBe(200);
    expect((await fetch(`${sut.service.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${sut.service.managementUrl}/health/live`)).status).toBe(200);

    // Over Fastify's own body limit (read before the controller): still ingestion's error body.
    const huge = await send(
      '/v1/batch',
      JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'X', properties: { pad: 'x'.repeat(2_100_000) } }] }),
    );
    expect(huge.status).toBe(413);
    expect((await huge.json()) as ErrorAnswer).toMatchObject({
      success: false,
      error: { code: 'too_large', issues: [{ field: '(body)' }] },
    });
  });

  it('delivers every valid element of a batch and sends the invalid one to ingest.rejected with its reason', async () => {
    const ids = [uniqueId('ok'), uniqueId('bad'), uniqueId('ok'), uniqueId('huge')];
    const response = await send(
      '/v1/batch',
      JSON.stringify({
        writeKey: web.writeKey,
        batch: [
          { type: 'track', userId: 'batch-user', event: 'First', messageId: ids[0] },
          { type: 'page', userId: 'batch-user', name: 'Home', category: 7, messageId: ids[1], writeKey: web.writeKey },
          { type: 'identify', userId: 'batch-user', traits: { plan: 'gold' }, messageId: ids[2] },
          { type: 'track', userId: 'batch-user', event: 'Huge', messageId: ids[3], properties: { blob: 'x'.repeat(40_000) } },
        ],
      }),
    );
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      success: boolean;
      accepted: number;
      rejected: Array<{ index: number; reason: string; issues: Array<{ field: string }> }>;
    };
    expect(answer).toMatchObject({
      success: true,
      accepted: 2,
      rejected: [
        { index: 1, reason: 'invalid_type', issues: [{ field: 'batch.1.category' }] },
        { index: 3, reason: 'too_large', issues: [{ field: 'batch.3' }] },
      ],
    });
    await received(ids[0] ?? '');
    await received(ids[2] ?? '');
    const rejected = await expectEventually(() => {
      const found = sut.spy.on(topic(topics.ingestRejected.name)).find((m) => (m.value as Rejected).data.raw.includes(ids[1] ?? '-'));
      if (!found) throw new Error('not yet on ingest.rejected');
      return found;
    });
    expect(rejected.key).toBe('batch-user');
    const value = rejected.value as Rejected;
    expect(value).toMatchObject({
      version: 2,
      data: {
        reason: 'invalid_type',
        sourceId: web.id,
        http: { endpoint: '/v1/batch', index: 1 },
        issues: [{ field: 'batch.1.category' }],
      },
    });
    expect(value.data.raw).not.toContain(web.writeKey);
    const oversized = await expectEventually(() => {
      const found = sut.spy.on(topic(topics.ingestRejected.name)).find((m) => (m.value as Rejected).data.raw.includes(ids[3] ?? '-'));
      if (!found) throw new Error('the oversized element is not on ingest.rejected yet');
      return found.value as Rejected;
    });
    expect(oversized.data).toMatchObject({ reason: 'too_large', http: { index: 3 } });
    expect(oversized.data.raw.length).toBe(4096);
    // Refusals are on another topic than the events: read both to their end before saying neither refused one was accepted.
    await sut.spy.waitUntilCaughtUp();
    expect(sut.spy.on(topic(topics.ingestEvents.name)).some((m) => [ids[1], ids[3]].includes((m.value as Received).data.messageId))).toBe(
      false,
    );
  });

  it('still refuses a body that is not a batch at all, whole', async () => {
    const notJson = await send('/v1/batch', '{"batch": [');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as ErrorAnswer).error.code).toBe('invalid_json');
    const noKey = await fetch(`${sut.service.url}/v1/batch`, {
      method: 'POST',
      body: JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'X' }] }),
    });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as ErrorAnswer).error.code).toBe('unauthorized');
  });

  it('answers a refused single call with 400 naming the field, and keeps the message on ingest.rejected', async () => {
    const messageId = uniqueId('single');
    const response = await send('/v1/track', JSON.stringify({ userId: 'single-user', event: '', messageId }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorAnswer).error.issues?.map((i) => i.field)).toContain('event');
    await expectEventually(() => {
      const found = sut.spy.on(topic(topics.ingestRejected.name)).find((m) => (m.value as Rejected).data.raw.includes(messageId));
      expect(found?.value).toMatchObject({ version: 2, data: { http: { endpoint: '/v1/track' } } });
    });
  });

  it('takes the write key from the body, fills context.ip and receivedAt, and clamps event time to the receipt', async () => {
    const future = uniqueId('future');
    const skewed = uniqueId('skewed');
    const before = Date.now();
    const response = await fetch(`${sut.service.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        writeKey: web.writeKey,
        batch: [
          // A "Consent Updated" dated next year, without sentAt: it cannot be later than its receipt.
          {
            type: 'track',
            userId: 'clock-user',
            event: 'Consent Updated',
            messageId: future,
            timestamp: new Date(before + 365 * 86400_000).toISOString(),
            properties: { purpose: 'marketing', granted: true },
          },
          // A client clock one hour ahead: sentAt corrects it to about a minute ago.
          {
            type: 'track',
            userId: 'clock-user',
            event: 'Viewed',
            messageId: skewed,
            timestamp: new Date(before + 3_600_000 - 60_000).toISOString(),
            sentAt: new Date(before + 3_600_000).toISOString(),
            context: { ip: '203.0.113.9' },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const after = Date.now();
    const clamped = await received(future);
    expect(clamped.data.timestamp).toBe(clamped.data.receivedAt);
    expect(Date.parse(clamped.data.receivedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(clamped.data.receivedAt)).toBeLessThanOrEqual(after + 1);
    expect(clamped.data.context?.['ip']).toBe('127.0.0.1');
    const corrected = await received(skewed);
    const eventTime = Date.parse(corrected.data.timestamp);
    expect(eventTime).toBeLessThanOrEqual(Date.parse(corrected.data.receivedAt) - 59_000);
    expect(eventTime).toBeGreaterThanOrEqual(before - 61_000);
    expect(corrected.data.context?.['ip']).toBe('203.0.113.9');
  });

  it("serves analytics.js's one-letter paths and answers its CORS preflight", async () => {
    const messageId = uniqueId('t');
    const response = await send('/v1/t', JSON.stringify({ userId: 'browser-user', event: 'Clicked', messageId }), {
      'content-type': 'text/plain',
      origin: 'http://shop.example',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    await received(messageId);
    const batched = uniqueId('b');
    expect((await send('/v1/b', JSON.stringify({ batch: [{ type: 'page', userId: 'browser-user', messageId: batched }] }))).status).toBe(
      200,
    );
    await received(batched);
    const preflight = await fetch(`${sut.service.url}/v1/b`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const unknown = await send('/v1/x', '{}');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorAnswer).error.code).toBe('not_found');
  });
});
