import fc from 'fast-check';
import { assignValueTiers, defaultTierThresholds, TierThresholds, TierWalker, ValueTier } from './value-tiers';
import { InvalidModelInputError } from './scoring.errors';

const order: Record<ValueTier, number> = { A: 0, B: 1, C: 2, D: 3 };

describe('assignValueTiers', () => {
  it('puts the customers making the top 50% of value in A, the next 30% in B, the next 15% in C', () => {
    // Values 40, 20, 15, 10, 8, 5, 2 (total 100): shares above are 0, .40, .60, .75, .85, .93, .98.
    const customers = [40, 20, 15, 10, 8, 5, 2].map((value, i) => ({ customerId: `c${i}`, value }));
    expect(assignValueTiers(customers).map((a) => a.tier)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D']);
  });

  it('gives equal values the same tier and orders them by id, whatever the input order', () => {
    const customers = [
      { customerId: 'b', value: 30 },
      { customerId: 'a', value: 30 },
      { customerId: 'c', value: 40 },
    ];
    const result = assignValueTiers(customers);
    expect(result.map((a) => [a.customerId, a.tier, a.rank])).toEqual([
      ['c', 'A', 1],
      ['a', 'A', 2],
      ['b', 'A', 3],
    ]);
    expect(assignValueTiers([...customers].reverse())).toEqual(result);
  });

  it('puts worthless, negative and non-numeric values in D and everyone in D when nothing has value', () => {
    const result = assignValueTiers([
      { customerId: 'x', value: 10 },
      { customerId: 'y', value: 0 },
      { customerId: 'z', value: -5 },
      { customerId: 'w', value: Number.NaN },
    ]);
    expect(result.map((a) => a.tier)).toEqual(['A', 'D', 'D', 'D']);
    expect(assignValueTiers([{ customerId: 'q', value: 0 }]).map((a) => a.tier)).toEqual(['D']);
  });

  it('rejects thresholds that are not increasing within (0, 1]', () => {
    expect(() => assignValueTiers([], { A: 0.5, B: 0.4, C: 0.9 })).toThrow(InvalidModelInputError);
    expect(() => assignValueTiers([], { A: 0.5, B: 0.8, C: 1.2 })).toThrow(InvalidModelInputError);
  });

  it('streams: the walker refuses customers out of descending order', () => {
    const walker = new TierWalker(10);
    walker.next({ customerId: 'a', value: 5 });
    expect(() => walker.next({ customerId: 'b', value: 6 })).toThrow(InvalidModelInputError);
  });

  const thresholdsArb: fc.Arbitrary<TierThresholds> = fc
    .uniqueArray(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 })
    .map((xs) => [...xs].sort((p, q) => p - q))
    .filter(([a, b, c]) => a !== undefined && b !== undefined && c !== undefined && a < b && b < c)
    .map(([A = 0, B = 0, C = 0]) => ({ A, B, C }));
  const customersArb = fc.uniqueArray(
    fc.record({
      customerId: fc.string({ minLength: 1, maxLength: 6 }),
      value: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, 1, 100)),
    }),
    { selector: (c) => c.customerId, maxLength: 200 },
  );

  it('covers every customer once, in tier order, with tiers matching the cumulative shares', () => {
    fc.assert(
      fc.property(customersArb, fc.oneof(fc.constant(defaultTierThresholds), thresholdsArb), (customers, thresholds) => {
        const result = assignValueTiers(customers, thresholds);
        const ids = result.map((a) => a.customerId).sort();
        if (JSON.stringify(ids) !== JSON.stringify(customers.map((c) => c.customerId).sort())) return false;
        const total = customers.reduce((sum, c) => sum + c.value, 0);
        let above = 0;
        for (let i = 0; i < result.length; i++) {
          const current = result[i];
          const previous = result[i - 1];
          if (!current) return false;
          if (previous && order[previous.tier] > order[current.tier]) return false;
          if (previous && previous.value === current.value && previous.tier !== current.tier) return false;
          // A new value group's tier follows from the share held by everyone above it.
          if (!previous || previous.value !== current.value) {
            const share = total > 0 ? above / total : 1;
            const expected: ValueTier =
              current.value === 0 ? 'D' : share < thresholds.A ? 'A' : share < thresholds.B ? 'B' : share < thresholds.C ? 'C' : 'D';
            if (current.tier !== expected) return false;
          }
          above += current.value;
        }
        // A is the smallest top group reaching its share: if anyone valuable is left out of A,
        // A already holds at least threshold A of the value (up to rounding in the sums).
        const shareOf = (tiers: ValueTier[]) =>
          result.filter((a) => tiers.includes(a.tier)).reduce((sum, a) => sum + a.value, 0) / (total || 1);
        const valuableOutside = (tiers: ValueTier[]) => result.some((a) => !tiers.includes(a.tier) && a.value > 0);
        if (valuableOutside(['A']) && shareOf(['A']) < thresholds.A - 1e-9) return false;
        if (valuableOutside(['A', 'B']) && shareOf(['A', 'B']) < thresholds.B - 1e-9) return false;
        return true;
      }),
      { seed: 41, numRuns: 300 },
    );
  });
});
