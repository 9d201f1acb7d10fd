import { assignLinesToParts, TracedLine, unionLines } from './order-lines';

const line = (eventId: string, origin: string, identifiers: string[], day = 1): TracedLine => ({
  eventId,
  orderId: `o-${eventId}`,
  kind: 'purchase',
  at: new Date(Date.UTC(2024, 0, day)),
  amount: 10,
  origin,
  identifiers,
});

describe('order lines', () => {
  it('unions two histories with each event once, so folding twice changes nothing', () => {
    const a = [line('e1', 'A', [], 1), line('e2', 'A', [], 3)];
    const b = [line('e3', 'B', [], 2), line('e2', 'A', [], 3)];
    const once = unionLines(a, b);
    expect(once.map((l) => l.eventId)).toEqual(['e1', 'e3', 'e2']);
    expect(unionLines(once, b)).toEqual(once);
  });

  it('unions the same order of one source once, whichever event brought it to which customer', () => {
    const sameOrder = (eventId: string, origin: string, sourceId: string): TracedLine => ({
      ...line(eventId, origin, []),
      orderId: 'o-42',
      sourceId,
    });
    const folded = unionLines([sameOrder('e1', 'A', 'web-shop')], [sameOrder('e9', 'B', 'web-shop'), sameOrder('e5', 'B', 'store-pos')]);
    expect(folded.map((l) => `${l.sourceId ?? ''}:${l.eventId ?? ''}`)).toEqual(['store-pos:e5', 'web-shop:e1']);
  });

  it('gives lines back on a split by origin, then identifiers, else to the first part', () => {
    const lines = [
      line('e1', 'A', ['email:a@x']),
      line('e2', 'B', ['email:b@x']),
      line('e3', 'A', ['email:b@x']),
      line('e4', 'A', ['anonymousId:zzz']),
    ];
    const parts = [
      { customerId: 'A', identifiers: ['email:a@x'] },
      { customerId: 'B', identifiers: ['email:b@x'] },
    ];
    const assigned = assignLinesToParts(lines, parts);
    expect(assigned.get('A')?.map((l) => l.eventId)).toEqual(['e1', 'e4']);
    expect(assigned.get('B')?.map((l) => l.eventId)).toEqual(['e2', 'e3']);
  });
});
