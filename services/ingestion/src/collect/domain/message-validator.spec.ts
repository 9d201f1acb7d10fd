import fc from 'fast-check';
import { segmentEventTypes } from '@o2o/contracts';
import { MAX_DEPTH, validateMessage } from './message-validator';
import { normaliseMessage } from './segment-normaliser';

function depth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depth));
  if (typeof value === 'object' && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depth));
  return 0;
}

function keys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keys);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
  return [];
}

const hostileKey = fc.oneof(fc.string(), fc.constantFrom('$where', '$gt', 'a.b', '__proto__', 'constructor', '\u0000', '$', '.'));
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

const plausible = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...segmentEventTypes), fc.string()),
    userId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    anonymousId: fc.string(),
    event: fc.string(),
    previousId: fc.string(),
    groupId: fc.string(),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    properties: fc.dictionary(hostileKey, hostileJson, { maxKeys: 4 }),
    traits: fc.dictionary(hostileKey, hostileJson, { maxKeys: 4 }),
    context: fc.dictionary(hostileKey, hostileJson, { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

describe('validateMessage', () => {
  it('never throws and never accepts an invalid message, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson, plausible), (input) => {
        const result = validateMessage(input);
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) expect(typeof issue.field).toBe('string');
          return;
        }
        const message = result.message;
        expect(segmentEventTypes).toContain(message.type);
        expect(Boolean(message.userId) || Boolean(message.anonymousId)).toBe(true);
        expect(depth(input)).toBeLessThanOrEqual(MAX_DEPTH + 1);
        for (const key of keys(input)) {
          expect(key.startsWith('$')).toBe(false);
          expect(key.includes('.')).toBe(false);
        }
        if (message.type === 'track') expect(message.event.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a well-formed track call', () => {
    const result = validateMessage({ type: 'track', userId: 'u1', event: 'Order Completed', properties: { revenue: 10 } });
    expect(result.ok).toBe(true);
  });

  it('names the offending field', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ type: 'track', event: 'X' }, 'userId', 'required'],
      [{ type: 'nope', userId: 'u' }, 'type', 'unknown_event_type'],
      [{ userId: 'u' }, 'type', 'required'],
      [{ type: 'track', userId: 'u', event: 'X', properties: { nested: { $ne: 1 } } }, 'properties.nested.$ne', 'invalid_key'],
      [{ type: 'identify', userId: 'u', traits: { 'a.b': 1 } }, 'traits.a.b', 'invalid_key'],
      [{ type: 'alias', userId: 'u' }, 'previousId', 'required'],
      [{ type: 'group', userId: 'u' }, 'groupId', 'required'],
      [[1, 2], '(root)', 'invalid_type'],
    ];
    for (const [input, field, code] of cases) {
      const result = validateMessage(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    }
  });

  it('rejects nesting deeper than the limit', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < MAX_DEPTH + 2; i++) deep = { next: deep };
    const result = validateMessage({ type: 'track', userId: 'u', event: 'Deep', properties: deep });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.code).toBe('too_deep');
  });

  it('prefixes fields inside a batch', () => {
    const result = validateMessage({ type: 'track', event: 'X' }, 'batch.3');
    expect(!result.ok && result.issues[0]?.field).toBe('batch.3.userId');
  });

  it('reads null as absent in every optional field of the Segment spec, as Segment does', () => {
    const optional = ['messageId', 'timestamp', 'originalTimestamp', 'sentAt', 'context', 'integrations', 'anonymousId'];
    const perType: Record<string, { required: Record<string, unknown>; optional: string[] }> = {
      track: { required: { event: 'E' }, optional: ['properties'] },
      identify: { required: {}, optional: ['traits'] },
      page: { required: {}, optional: ['name', 'category', 'properties'] },
      screen: { required: {}, optional: ['name', 'category', 'properties'] },
      group: { required: { groupId: 'g' }, optional: ['traits'] },
      alias: { required: { previousId: 'p' }, optional: [] },
    };
    for (const [type, fields] of Object.entries(perType)) {
      const nulls = Object.fromEntries([...optional, ...fields.optional].map((f) => [f, null]));
      const result = validateMessage({ type, userId: 'u', ...fields.required, ...nulls });
      expect({ type, ok: result.ok }).toEqual({ type, ok: true });
      if (!result.ok) continue;
      const receivedAt = new Date('2026-06-01T12:00:00Z');
      const data: Record<string, unknown> = { ...normaliseMessage(result.message, { id: 'web', channel: 'web' }, receivedAt) };
      for (const field of [
        'name',
        'category',
        'properties',
        'traits',
        'context',
        'integrations',
        'anonymousId',
        'originalTimestamp',
        'sentAt',
      ])
        expect({ type, field, value: data[field] }).toEqual({ type, field, value: undefined });
      expect(data['timestamp']).toBe(receivedAt.toISOString());
      expect(data['messageId']).toMatch(/^c-[0-9a-f]{32}$/);
    }
    // null is not a value for a required field
    const missing = validateMessage({ type: 'track', userId: 'u', event: null });
    expect(!missing.ok && missing.issues[0]?.field).toBe('event');
  });
});

describe('reserved outcome events', () => {
  const track = (event: string, properties?: Record<string, unknown>) =>
    validateMessage({ type: 'track', userId: 'u-1', event, properties }, 'batch.2');

  it('accepts offer outcomes that name their campaign, and question outcomes that name their question', () => {
    expect(track('Offer Accepted', { campaignId: 'winter-boots', decisionId: 'd-1', revenue: 42 }).ok).toBe(true);
    expect(track('Offer Presented', { campaignId: 'winter-boots', channel: 'email' }).ok).toBe(true);
    expect(track('Offer Declined', { campaignId: 'winter-boots', recordedBy: 'agent-7' }).ok).toBe(true);
    expect(track('Question Asked', { questionId: 'household-children' }).ok).toBe(true);
    expect(track('Question Answered', { question_id: 'household-children', answer: true }).ok).toBe(true);
    expect(track('Question Answered', { factKey: 'pets', answer: 'cat' }).ok).toBe(true);
    expect(track('Question Declined', { questionId: 'household-children', reason: 'prefers not to say' }).ok).toBe(true);
  });

  it('refuses an offer outcome without its campaign, naming the field', () => {
    const result = track('Offer Accepted', { decisionId: 'd-1' });
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'batch.2.properties.campaignId', code: 'required' })] });
    const none = track('Offer Declined');
    expect(none).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'batch.2.properties.campaignId', code: 'required' })] });
  });

  it('refuses wrong types and values with the field and the event name', () => {
    const result = track('Offer Accepted', { campaignId: 'c', revenue: -3 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toEqual([expect.objectContaining({ field: 'batch.2.properties.revenue', code: 'invalid_value' })]);
      expect(result.issues[0]?.message).toContain('Offer Accepted');
    }
    const answer = track('Question Answered', { questionId: 'q', answer: { nested: true } });
    expect(answer).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'batch.2.properties.answer' })] });
    const noQuestion = track('Question Declined', { reason: 'no' });
    expect(noQuestion).toEqual({
      ok: false,
      issues: [expect.objectContaining({ field: 'batch.2.properties.questionId', code: 'required' })],
    });
    const emptyId = track('Question Asked', { questionId: '' });
    expect(emptyId).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'batch.2.properties.questionId' })] });
  });

  it('refuses Offer Ignored from channels: the platform emits it', () => {
    const result = track('Offer Ignored', { campaignId: 'c' });
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'batch.2.event', code: 'invalid_value' })] });
  });

  it('leaves other track events alone, whatever their properties', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(track(name, {}).ok).toBe(true);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((e) => e.trim().length > 0 && !/^(Offer|Question) /.test(e.trim())),
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.startsWith('$') && !k.includes('.') && !k.includes('\u0000')),
          fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
          { maxKeys: 3 },
        ),
        (event, properties) => {
          expect(track(event, properties).ok).toBe(true);
        },
      ),
    );
  });
});
