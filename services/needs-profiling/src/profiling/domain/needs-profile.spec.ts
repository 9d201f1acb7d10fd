import fc from 'fast-check';
import type { EngagementSignal } from './needs-profile';
import { unionNewest } from './needs-profile';
import { day } from './testing/resolved-event.factory';

const signal = (id: string, days: number, event = 'Product Viewed'): EngagementSignal => ({ id, at: day(days), event });

const signalsArb = fc.array(
  fc.record({
    id: fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'),
    days: fc.integer({ min: 0, max: 30 }),
    event: fc.constantFrom('Product Viewed', 'page'),
  }),
  { maxLength: 12 },
);

describe('unionNewest', () => {
  it('keeps the newest item per id, newest first, within the limit, whichever side they come from', () => {
    fc.assert(
      fc.property(signalsArb, signalsArb, fc.integer({ min: 0, max: 10 }), (xs, ys, limit) => {
        const a = xs.map((s) => signal(s.id, s.days, s.event));
        const b = ys.map((s) => signal(s.id, s.days, s.event));
        const union = unionNewest(a, b, limit);
        // Once united, a set is already in its final form: unions with nothing, or of it with itself
        // in another order, or arriving as the new side, all give the same set.
        expect(unionNewest(union, [], limit)).toEqual(union);
        expect(unionNewest([...union].reverse(), [], limit)).toEqual(union);
        expect(unionNewest([], union, limit)).toEqual(union);
        expect(unionNewest(b, a, limit)).toEqual(union);
        expect(union.length).toBeLessThanOrEqual(limit);
        expect(new Set(union.map((s) => s.id)).size).toBe(union.length);
        const times = union.map((s) => s.at);
        expect(times).toEqual([...times].sort().reverse());
      }),
    );
  });

  it('puts a stored set that is out of order, or holds an id twice, into its form even when nothing is added', () => {
    const stored = [signal('e1', 1), signal('e2', 3), signal('e1', 2)];
    expect(unionNewest(stored, [], 10)).toEqual([signal('e2', 3), signal('e1', 2)]);
    expect(unionNewest([signal('e1', 1), signal('e2', 3)], [], 10)).toEqual([signal('e2', 3), signal('e1', 1)]);
    expect(unionNewest([signal('e2', 3), signal('e1', 1)], [], 1)).toEqual([signal('e2', 3)]);
  });

  it('returns a set of its own, not the one it was given', () => {
    const stored = [signal('e2', 3), signal('e1', 1)];
    const union = unionNewest(stored, [], 10);
    expect(union).toEqual(stored);
    expect(union).not.toBe(stored);
    union.push(signal('e3', 0));
    expect(stored).toHaveLength(2);
  });
});
