import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { topics } from '@o2o/contracts';
import { sealEvent } from '../data-keys';
import { decodeGroup, decodeMessage, parseGroup, parseJson, subjectsOf } from './message-decoder';
import { message, partitionBatch, snapshotEnvelope } from './partition-batch.fixture';

const snapshot = (customerId: string) => snapshotEnvelope(customerId);

const none = new Map<string, Buffer>();

describe('message decoding', () => {
  it('decodes events of the contract, in group order, with their partition, offset and key', () => {
    const p0 = partitionBatch(topics.identitySnapshots, [snapshot('c1'), snapshot('c2')], { partition: 0, keys: ['c1', 'c2'] });
    const p3 = partitionBatch(topics.identitySnapshots, [snapshot('c3')], { partition: 3, firstOffset: 40, keys: ['c3'] });
    const group = [p0.member, p3.member];
    const { values, keyIds } = parseGroup(topics.identitySnapshots, group);
    const out = decodeGroup(topics.identitySnapshots, group, values, none, new Set());
    expect(keyIds).toEqual([]);
    expect(out.deadLetters).toEqual([]);
    expect(
      out.items.map((i) => [
        i.partition,
        i.consumed.offset,
        i.consumed.key,
        i.consumed.kind === 'event' ? (i.consumed.event as { subject: string }).subject : i.consumed.kind,
      ]),
    ).toEqual([
      [0, '0', 'c1', 'c1'],
      [0, '1', 'c2', 'c2'],
      [3, '40', 'c3', 'c3'],
    ]);
    expect(out.items.map((i) => i.owner)).toEqual([p0.member, p0.member, p3.member]);
  });

  it('gives each message that is wrong in itself a dead letter with its reason, and keeps the rest', () => {
    const unknownType = { ...snapshot('c4'), type: 'identity.other' };
    const badData = { ...snapshot('c5'), data: { customerId: 5 } };
    const { member } = partitionBatch(topics.identitySnapshots, ['{not json', null, unknownType, badData, snapshot('c6')], {
      partition: 2,
      keys: [undefined, undefined, 'c4', 'c5', 'c6'],
    });
    const { values } = parseGroup(topics.identitySnapshots, [member]);
    const out = decodeGroup(topics.identitySnapshots, [member], values, none, new Set());
    expect(out.deadLetters.map((l) => [l.message.offset, l.partition, l.reason, l.attempts])).toEqual([
      ['0', 2, 'invalid-json', 0],
      ['1', 2, 'invalid-envelope', 0],
      ['2', 2, 'unknown-event-type', 0],
      ['3', 2, 'invalid-envelope', 0],
    ]);
    expect(out.deadLetters[1]?.error).toBe('empty message value');
    expect(out.items.map((i) => i.consumed.offset)).toEqual(['4']);
  });

  it('reads an empty value on a compacted topic with a key as a tombstone', () => {
    const { member } = partitionBatch(topics.identitySnapshots, [null], { keys: ['c7'] });
    const out = decodeGroup(topics.identitySnapshots, [member], parseGroup(topics.identitySnapshots, [member]).values, none, new Set());
    expect(out.items.map((i) => [i.consumed.kind, i.consumed.key])).toEqual([['tombstone', 'c7']]);
  });

  it('hands raw topics their bytes without parsing them', () => {
    const { member } = partitionBatch(topics.ingestIntake, ['{not json', null]);
    const parsed = parseGroup(topics.ingestIntake, [member]);
    expect(parsed.values).toEqual([]);
    const out = decodeGroup(topics.ingestIntake, [member], parsed.values, none, new Set());
    expect(out.items.map((i) => (i.consumed.kind === 'raw' ? i.consumed.value.toString() : i.consumed.kind))).toEqual(['{not json', '']);
  });

  it('opens sealed events with their key, counts those whose key was destroyed as shredded, and skips subjects it is told to', () => {
    const key = { kid: 'dk_1', key: randomBytes(32) };
    const sealed = sealEvent(snapshot('c8'), key);
    const gone = sealEvent(snapshot('c9'), { kid: 'dk_gone', key: randomBytes(32) });
    const { member } = partitionBatch(topics.identitySnapshots, [sealed, gone, snapshot('erased'), snapshot('c10')]);
    const parsed = parseGroup(topics.identitySnapshots, [member]);
    expect(parsed.keyIds.sort()).toEqual(['dk_1', 'dk_gone']);
    const out = decodeGroup(topics.identitySnapshots, [member], parsed.values, new Map([['dk_1', key.key]]), new Set(['erased']));
    expect(out.shredded).toBe(1);
    expect(out.skipped).toBe(1);
    expect(out.deadLetters).toEqual([]);
    expect(
      out.items.map((i) => (i.consumed.kind === 'event' ? (i.consumed.event as { data: { customerId: string } }).data.customerId : '')),
    ).toEqual(['c8', 'c10']);
  });

  it('dead-letters a sealed event whose seal does not open with its key', () => {
    const sealed = sealEvent(snapshot('c11'), { kid: 'dk_1', key: randomBytes(32) });
    const { member } = partitionBatch(topics.identitySnapshots, [sealed]);
    const out = decodeGroup(
      topics.identitySnapshots,
      [member],
      parseGroup(topics.identitySnapshots, [member]).values,
      new Map([['dk_1', randomBytes(32)]]),
      new Set(),
    );
    expect(out.deadLetters.map((l) => l.reason)).toEqual(['invalid-envelope']);
  });

  it('names the subjects of a group once each, from the ce_subject header or else the key', () => {
    const { member } = partitionBatch(topics.identitySnapshots, [snapshot('a'), snapshot('b'), snapshot('c')], {
      keys: ['k1', 'k1', undefined],
      headers: [undefined, { ce_subject: 'h2' }, undefined],
    });
    expect(subjectsOf([member])).toEqual(['k1', 'h2']);
  });

  it('never throws on arbitrary bytes: every value is an event, a tombstone or a dead letter with a reason', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        (bytes, key) => {
          const m = message(Buffer.from(bytes), 0, key === undefined ? {} : { key });
          const result = decodeMessage(topics.identitySnapshots, 0, m, parseJson(m), none);
          if ('reason' in result) expect(['invalid-json', 'invalid-envelope', 'unknown-event-type']).toContain(result.reason);
          else expect('kind' in result && (result.kind === 'tombstone' || result.kind === 'event')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
