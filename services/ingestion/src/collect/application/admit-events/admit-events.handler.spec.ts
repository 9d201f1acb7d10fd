import { signBody } from '../../../sources/domain/source-credentials';
import type { ActiveSource } from '../../../sources/domain/active-source';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from '../../domain/message-validator';
import type { RateDecision, SourceDirectory, SourceRate } from '../ports';
import { Admission, AdmissionShape, AdmitEventsHandler } from './admit-events.handler';

const web: ActiveSource = { id: 'web', name: 'Web', channel: 'web', enabled: true, requireSignature: false };
const off: ActiveSource = { id: 'off', name: 'Off', channel: 'web', enabled: false, requireSignature: false };
const signed: ActiveSource = {
  id: 'signed',
  name: 'Signed',
  channel: 'web',
  enabled: true,
  requireSignature: true,
  signingSecret: 's3cret',
};
const keys: Record<string, ActiveSource> = { 'web-key': web, 'off-key': off, 'signed-key': signed };

/** The sources by write key, and a rate that refuses a source once it has used its budget. */
class Fixture {
  readonly consumed = new Map<string, number>();
  constructor(private readonly budget = 100) {}
  readonly sources: SourceDirectory = { findByWriteKey: async (key) => keys[key] ?? null };
  readonly rate: SourceRate = {
    consume: async (sourceId, events): Promise<RateDecision> => {
      const used = (this.consumed.get(sourceId) ?? 0) + events;
      this.consumed.set(sourceId, used);
      return used > this.budget ? { allowed: false, retryAfterSeconds: 3 } : { allowed: true };
    },
  };
  handler(): AdmitEventsHandler {
    return new AdmitEventsHandler(this.sources, this.rate, {
      PURPOSE_REQUIRED_FOR: new Set(['identify']),
      PURPOSES: new Set(['service', 'marketing']),
    });
  }
}

const track = { type: 'track', userId: 'u1', event: 'Viewed' };
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
/** null: no write key beside the body. */
const http = (shape: AdmissionShape, body: unknown, writeKey: string | null = 'web-key', signature?: string) => {
  const raw = text(body);
  return { shape, body: raw, bytes: Buffer.byteLength(raw, 'utf8'), writeKey: writeKey ?? undefined, signature };
};
const intake = (body: unknown, writeKey: string | null = 'web-key') => {
  const raw = text(body);
  return { body: raw, bytes: Buffer.byteLength(raw, 'utf8'), writeKey: writeKey ?? undefined };
};
const single: AdmissionShape = { kind: 'single', type: 'track' };
const batch: AdmissionShape = { kind: 'batch' };
const rejection = (admission: Admission) => (admission.admitted ? undefined : admission.rejection);

describe('AdmitEventsHandler: an HTTP call is refused whole', () => {
  const cases: Array<[string, ReturnType<typeof http>, Record<string, unknown>]> = [
    [
      'a single call over 32 KiB',
      http(single, { ...track, properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }),
      { kind: 'too_large', limit: MAX_EVENT_BYTES },
    ],
    [
      'a batch over 500 KiB',
      http(batch, { batch: [track], blob: 'x'.repeat(MAX_BATCH_BYTES) }),
      { kind: 'too_large', limit: MAX_BATCH_BYTES },
    ],
    ['a body that is not JSON', http(single, '{"type":'), { kind: 'invalid_json', expected: 'json' }],
    ['a JSON body that is not an object', http(batch, [track]), { kind: 'invalid_json', expected: 'object' }],
    ['a call without a write key', http(single, track, null), { kind: 'credential_missing' }],
    ['an unknown write key', http(single, track, 'nobody'), { kind: 'credential_unknown' }],
    ['a disabled source', http(single, track, 'off-key'), { kind: 'source_disabled', sourceId: 'off' }],
    ['a source that signs, unsigned', http(single, track, 'signed-key'), { kind: 'signature_invalid', sourceId: 'signed' }],
    [
      'a source that signs, signed wrongly',
      http(single, track, 'signed-key', signBody('other', text(track))),
      { kind: 'signature_invalid', sourceId: 'signed' },
    ],
    [
      'a batch body without a batch',
      http(batch, { events: [track] }),
      { kind: 'invalid_batch', sourceId: 'web', issues: [expect.objectContaining({ field: 'batch', code: 'invalid_value' })] },
    ],
  ];

  it.each(cases)('%s', async (_name, command, expected) => {
    expect(rejection(await new Fixture().handler().admitHttpCall(command))).toEqual(expected);
  });

  it('is over its rate: the call counts all its messages, refused ones too', async () => {
    const fixture = new Fixture(2);
    const handler = fixture.handler();
    expect((await handler.admitHttpCall(http(batch, { batch: [track, { type: 'track' }] }))).admitted).toBe(true);
    expect(rejection(await handler.admitHttpCall(http(single, track)))).toEqual({
      kind: 'rate_limited',
      sourceId: 'web',
      retryAfterSeconds: 3,
    });
    expect(fixture.consumed.get('web')).toBe(3);
  });

  it('reads the write key from the body when there is no Basic user, and the Basic user first', async () => {
    const handler = new Fixture().handler();
    const inBody = await handler.admitHttpCall(http(single, { ...track, writeKey: 'web-key' }, null));
    expect(inBody).toMatchObject({ admitted: true, source: { id: 'web' }, messages: [{ type: 'track', userId: 'u1' }], refused: [] });
    expect(rejection(await handler.admitHttpCall(http(single, { ...track, writeKey: 'web-key' }, 'off-key')))).toEqual({
      kind: 'source_disabled',
      sourceId: 'off',
    });
  });

  it('admits a correctly signed body of a source that signs', async () => {
    const admission = await new Fixture().handler().admitHttpCall(http(single, track, 'signed-key', signBody('s3cret', text(track))));
    expect(admission).toMatchObject({ admitted: true, source: { id: 'signed' } });
  });

  it('checks the size before reading the body, and the body before the credential', async () => {
    const handler = new Fixture().handler();
    expect(rejection(await handler.admitHttpCall(http(single, 'x'.repeat(MAX_EVENT_BYTES + 1), null)))).toMatchObject({
      kind: 'too_large',
    });
    expect(rejection(await handler.admitHttpCall(http(single, 'not json', null)))).toMatchObject({ kind: 'invalid_json' });
  });
});

describe('AdmitEventsHandler: the messages of an admitted HTTP call', () => {
  it('refuses a single call’s message by its schema or its purpose, and types it from the path', async () => {
    const handler = new Fixture().handler();
    const identify = await handler.admitHttpCall(http({ kind: 'single', type: 'identify' }, { userId: 'u1', traits: { email: 'a@b.c' } }));
    expect(identify).toMatchObject({
      admitted: true,
      messages: [],
      refused: [{ kind: 'purpose_required', issues: [{ field: 'context.purpose', code: 'required' }] }],
    });
    const unknownPurpose = await handler.admitHttpCall(http(single, { ...track, context: { purpose: 'spying' } }));
    expect(unknownPurpose).toMatchObject({
      admitted: true,
      refused: [{ kind: 'invalid_purpose', issues: [{ field: 'context.purpose', code: 'invalid_value' }] }],
    });
    const noEvent = await handler.admitHttpCall(http(single, { userId: 'u1' }));
    expect(noEvent).toMatchObject({ admitted: true, messages: [], refused: [{ kind: 'invalid_event', issues: [{ field: 'event' }] }] });
    expect(noEvent.admitted && noEvent.refused[0]?.index).toBeUndefined();
  });

  it('judges a batch element by element, with the batch’s context and sentAt, and names each refusal’s place', async () => {
    const sentAt = '2026-12-01T10:00:00.000Z';
    const elements = [
      { ...track, context: { locale: 'de' } },
      { type: 'track', userId: 'u2' },
      { type: 'identify', userId: 'u3', context: { purpose: 'marketing' } },
      { ...track, properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) } },
      { type: 'identify', userId: 'u4' },
      'not an object',
    ];
    const admission = await new Fixture()
      .handler()
      .admitHttpCall(http(batch, { batch: elements, context: { page: { path: '/' }, locale: 'en' }, sentAt }));
    if (!admission.admitted) throw new Error(`refused: ${admission.rejection.kind}`);
    expect(admission.messages).toHaveLength(2);
    expect(admission.messages[0]).toMatchObject({ userId: 'u1', sentAt, context: { locale: 'de', page: { path: '/' } } });
    expect(admission.messages[1]).toMatchObject({ userId: 'u3', context: { purpose: 'marketing', locale: 'en' } });
    expect(admission.refused.map((r) => [r.index, r.kind, r.issues[0]?.field])).toEqual([
      [1, 'invalid_event', 'batch.1.event'],
      [3, 'too_large', 'batch.3'],
      [4, 'purpose_required', 'batch.4.context.purpose'],
      [5, 'invalid_event', 'batch.5'],
    ]);
    // The refused element is kept as sent, without the batch's context.
    expect(admission.refused[0]?.raw).toEqual(elements[1]);
  });
});

describe('AdmitEventsHandler: a Kafka intake message', () => {
  const cases: Array<[string, ReturnType<typeof intake>, Record<string, unknown>]> = [
    ['without a write key header', intake(track, null), { kind: 'credential_missing' }],
    ['with an unknown write key', intake(track, 'nobody'), { kind: 'credential_unknown' }],
    ['of a disabled source', intake(track, 'off-key'), { kind: 'source_disabled', sourceId: 'off' }],
    [
      'over 32 KiB',
      intake({ ...track, properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }),
      { kind: 'too_large', limit: MAX_EVENT_BYTES, sourceId: 'web' },
    ],
    ['that is not JSON', intake('not json'), { kind: 'invalid_json', expected: 'json', sourceId: 'web' }],
    // The credential comes first: an unknown producer learns nothing of what else is wrong.
    ['unauthenticated and not JSON', intake('not json', 'nobody'), { kind: 'credential_unknown' }],
  ];

  it.each(cases)('is refused whole %s', async (_name, command, expected) => {
    expect(rejection(await new Fixture().handler().admitIntakeMessage(command))).toEqual(expected);
  });

  it('is its own message with its own type, judged by schema and purpose, not rate-limited nor signed', async () => {
    const fixture = new Fixture(0);
    const handler = fixture.handler();
    expect(await handler.admitIntakeMessage(intake(track, 'signed-key'))).toMatchObject({
      admitted: true,
      source: { id: 'signed' },
      messages: [{ type: 'track' }],
      refused: [],
    });
    expect(await handler.admitIntakeMessage(intake({ type: 'identify', userId: 'u1' }))).toMatchObject({
      admitted: true,
      messages: [],
      refused: [{ kind: 'purpose_required' }],
    });
    expect(await handler.admitIntakeMessage(intake(5))).toMatchObject({
      admitted: true,
      refused: [{ kind: 'invalid_event', issues: [{ field: '(root)', code: 'invalid_type' }] }],
    });
    expect(fixture.consumed.size).toBe(0);
  });
});
