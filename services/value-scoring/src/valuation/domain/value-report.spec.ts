import fc from 'fast-check';
import { ValueReportBuilder, VALUE_BANDS } from './value-report';

describe('value report', () => {
  it('counts tiers, bands values, ranks the most growable and sums by archetype', () => {
    const builder = new ValueReportBuilder(2);
    builder.add({ customerId: 'a', tier: 'A', actualValue: 1200, strategicValue: 300, archetypes: ['family'] });
    builder.add({ customerId: 'b', tier: 'C', actualValue: 60, strategicValue: 900, archetypes: ['family', 'outdoor'] });
    builder.add({ customerId: 'c', tier: 'C', actualValue: 10, strategicValue: 0, archetypes: [] });
    builder.add({ customerId: 'd', tier: 'B', actualValue: 400, strategicValue: 500, archetypes: ['outdoor'] });
    const report = builder.build();
    expect(report.customers).toBe(4);
    expect(report.tiers).toEqual({ A: 1, B: 1, C: 2 });
    expect(report.histogram.find((b) => b.from === 1000)?.customers).toBe(1);
    expect(report.histogram.find((b) => b.from === 0)?.customers).toBe(1);
    expect(report.mostGrowable.map((g) => g.customerId)).toEqual(['b', 'd']);
    expect(report.byArchetype).toEqual([
      { archetype: 'family', customers: 2, actualValue: 1260, meanActualValue: 630 },
      { archetype: 'outdoor', customers: 2, actualValue: 460, meanActualValue: 230 },
      { archetype: 'none', customers: 1, actualValue: 10, meanActualValue: 10 },
    ]);
  });

  it('puts every customer in exactly one band and one tier, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ value: fc.double({ min: -1e4, max: 1e6, noNaN: true }), tier: fc.constantFrom('A', 'B', 'C', 'D') }), {
          maxLength: 200,
        }),
        (customers) => {
          const builder = new ValueReportBuilder();
          customers.forEach((c, i) =>
            builder.add({ customerId: `c${i}`, tier: c.tier, actualValue: c.value, strategicValue: c.value / 2, archetypes: [] }),
          );
          const report = builder.build();
          // Below-zero margins are counted apart from the bands, which start at 0.
          expect(report.histogram.reduce((s, b) => s + b.customers, 0) + report.belowZero.customers).toBe(customers.length);
          expect(report.belowZero.customers).toBe(customers.filter((c) => c.value < 0).length);
          expect(Object.values(report.tiers).reduce((s, n) => s + n, 0)).toBe(customers.length);
          expect(report.histogram).toHaveLength(VALUE_BANDS.length);
          expect(report.mostGrowable.length).toBeLessThanOrEqual(10);
        },
      ),
    );
  });
});
