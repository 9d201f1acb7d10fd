import fc from 'fast-check';
import { correctTimestamp, normaliseMessage, routingKey } from './segment-normaliser';

describe('clock-skew correction', () => {
  it('keeps the gap between event and send, measured on the client, and anchors it at receipt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 * 86400_000 }), fc.integer({ min: -86400_000, max: 86400_000 }), (gapMs, skewMs) => {
        const receivedAt = new Date('2026-06-01T12:00:00Z');
        const clientNow = receivedAt.getTime() + skewMs;
        const timestamp = new Date(clientNow - gapMs).toISOString();
        const sentAt = new Date(clientNow).toISOString();
        expect(correctTimestamp(timestamp, sentAt, receivedAt).getTime()).toBe(receivedAt.getTime() - gapMs);
      }),
    );
  });

  it('never dates an event after its receipt, whatever the client sends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -30 * 86400_000, max: 400 * 86400_000 }),
        fc.option(fc.integer({ min: -400 * 86400_000, max: 400 * 86400_000 }), { nil: undefined }),
        (timestampOffsetMs, sentAtOffsetMs) => {
          const receivedAt = new Date('2026-06-01T12:00:00Z');
          const timestamp = new Date(receivedAt.getTime() + timestampOffsetMs).toISOString();
          const sentAt = sentAtOffsetMs === undefined ? undefined : new Date(receivedAt.getTime() + sentAtOffsetMs).toISOString();
          const corrected = correctTimestamp(timestamp, sentAt, receivedAt).getTime();
          expect(corrected).toBeLessThanOrEqual(receivedAt.getTime());
          const unclamped =
            sentAtOffsetMs === undefined
              ? receivedAt.getTime() + timestampOffsetMs
              : receivedAt.getTime() + timestampOffsetMs - sentAtOffsetMs;
          expect(corrected).toBe(Math.min(unclamped, receivedAt.getTime()));
        },
      ),
    );
    const receivedAt = new Date('2026-06-01T12:00:00Z');
    expect(correctTimestamp('2027-06-01T12:00:00Z', undefined, receivedAt)).toEqual(receivedAt);
  });

  it('trusts the timestamp without sentAt and uses receipt time without either', () => {
    const receivedAt = new Date('2026-06-01T12:00:00Z');
    expect(correctTimestamp('2026-05-01T00:00:00Z', undefined, receivedAt).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(correctTimestamp(undefined, undefined, receivedAt)).toEqual(receivedAt);
  });
});

describe('normaliseMessage', () => {
  const source = { id: 'web-1', channel: 'web' as const };
  const at = new Date('2026-06-01T12:00:00Z');

  it('keeps the fields of each call type and generates a messageId when absent', () => {
    const track = normaliseMessage({ type: 'track', userId: 'u', event: 'E', properties: { a: 1 } }, source, at);
    expect(track).toMatchObject({
      eventType: 'track',
      event: 'E',
      properties: { a: 1 },
      sourceId: 'web-1',
      channel: 'web',
      timestamp: at.toISOString(),
    });
    expect(track.messageId).toMatch(/^c-[0-9a-f]{32}$/);
    const alias = normaliseMessage({ type: 'alias', userId: 'u', previousId: 'anon', messageId: 'm1' }, source, at);
    expect(alias).toMatchObject({ eventType: 'alias', previousId: 'anon', messageId: 'm1' });
  });

  it('gives a message without messageId an id from its source and content, the same for a retry', () => {
    const message = {
      type: 'track' as const,
      userId: 'u',
      event: 'Order Completed',
      properties: { order_id: 'o-1', revenue: 42.5 },
      timestamp: '2026-06-01T11:59:00Z',
    };
    const first = normaliseMessage({ ...message, sentAt: '2026-06-01T11:59:01Z' }, source, at);
    // A retry: sent later, keys in another order, received later.
    const retry = normaliseMessage(
      {
        sentAt: '2026-06-01T11:59:31Z',
        properties: { revenue: 42.5, order_id: 'o-1' },
        event: 'Order Completed',
        userId: 'u',
        type: 'track',
        timestamp: '2026-06-01T11:59:00Z',
      },
      source,
      new Date(at.getTime() + 30000),
    );
    expect(retry.messageId).toBe(first.messageId);
    expect(normaliseMessage(message, { id: 'web-2', channel: 'web' }, at).messageId).not.toBe(first.messageId);
    expect(normaliseMessage({ ...message, properties: { order_id: 'o-2', revenue: 42.5 } }, source, at).messageId).not.toBe(
      first.messageId,
    );
    expect(normaliseMessage({ ...message, timestamp: '2026-06-01T11:59:02Z' }, source, at).messageId).not.toBe(first.messageId);
  });

  it('fills context.ip with the caller address unless the message carries one', () => {
    expect(
      normaliseMessage({ type: 'track', userId: 'u', event: 'E', context: { locale: 'de' } }, source, at, '198.51.100.7').context,
    ).toEqual({ locale: 'de', ip: '198.51.100.7' });
    expect(normaliseMessage({ type: 'track', userId: 'u', event: 'E' }, source, at, '198.51.100.7').context).toEqual({
      ip: '198.51.100.7',
    });
    expect(
      normaliseMessage({ type: 'track', userId: 'u', event: 'E', context: { ip: '203.0.113.1' } }, source, at, '198.51.100.7').context,
    ).toEqual({ ip: '203.0.113.1' });
    expect(normaliseMessage({ type: 'track', userId: 'u', event: 'E' }, source, at).context).toBeUndefined();
  });

  it('routes by userId, else anonymousId', () => {
    expect(routingKey({ userId: 'u', anonymousId: 'a', messageId: 'm' })).toBe('u');
    expect(routingKey({ anonymousId: 'a', messageId: 'm' })).toBe('a');
  });
});
