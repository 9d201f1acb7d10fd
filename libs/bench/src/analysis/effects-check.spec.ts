import { RecordedMessage } from '../measure/topic-recorder';
import { checkEffects, copiedIds } from './effects-check';

function state(partition: number, offset: number, id: string, customerId: string, purchases: number): RecordedMessage {
  return {
    partition,
    offset,
    kafkaTs: Date.UTC(2026, 11, 7, 14, 13, offset),
    key: customerId,
    id,
    correlationid: undefined,
    traceId: undefined,
    bytes: 100,
    headerBytes: 10,
    tombstone: false,
    data: { customerId, purchases, revenue: purchases * 10 },
  };
}

describe('effects check: copies of one id', () => {
  it('fails the value check on a state published twice and names each copy by partition, offset and time', () => {
    const value = [
      state(0, 4, 'value:cus_a:r1:m:aa', 'cus_a', 1),
      state(1, 7, 'value:cus_b:r1:m:bb', 'cus_b', 1),
      state(0, 9, 'value:cus_a:r1:m:aa', 'cus_a', 1),
    ];
    const [check] = checkEffects({
      accepted: new Map(),
      ingest: [],
      identity: [],
      changes: [],
      value,
      needs: [],
      membership: [],
      running: new Set(['identity-resolution', 'value-scoring']),
      deadLetters: 0,
      drained: true,
    }).filter((c) => c.name.startsWith('value.scores'));

    expect(check?.ok).toBe(false);
    expect(check?.detail['republishedEventIds']).toBe(1);
    expect(check?.detail['copies']).toBe('value:cus_a:r1:m:aa at p0@4 2026-12-07T14:13:04.000Z, p0@9 2026-12-07T14:13:09.000Z');
  });

  it('names no more than the ids asked for, in the order of their first copy, and nothing without copies', () => {
    const records = ['x', 'y', 'x', 'z', 'y', 'z', 'w'].map((id, i) => state(0, i, id, `cus_${id}`, 1));
    expect(copiedIds(records, 2).map((line) => line.split(' ')[0])).toEqual(['x', 'y']);
    expect(copiedIds(records.slice(0, 2))).toEqual([]);
  });
});
