import { initialMatchParameters, matchParametersSchema, upgradeStoredParameters } from './match-parameters.schema';
import { COMPARISON_NAMES, COMPARISONS, levelGroup } from './record-comparison';

describe('match parameters', () => {
  it('starts from valid parameters whose levels form distributions per group', () => {
    const parameters = matchParametersSchema.parse(initialMatchParameters('v0'));
    for (const name of COMPARISON_NAMES) {
      const sums = new Map<string, { m: number; u: number }>();
      for (const level of COMPARISONS[name]) {
        const entry = parameters.comparisons[name]?.levels[level];
        const sum = sums.get(levelGroup(level)) ?? { m: 0, u: 0 };
        sums.set(levelGroup(level), { m: sum.m + (entry?.m ?? 0), u: sum.u + (entry?.u ?? 0) });
      }
      for (const sum of sums.values()) {
        expect(sum.m).toBeCloseTo(1, 9);
        expect(sum.u).toBeCloseTo(1, 9);
      }
    }
    expect(parameters.thresholds.review).toBeLessThan(parameters.thresholds.autoMerge);
  });

  it('rejects parameters with a missing level or inverted thresholds', () => {
    const parameters = initialMatchParameters();
    const withoutLevel = structuredClone(parameters);
    delete withoutLevel.comparisons['firstName']?.levels['exact'];
    expect(matchParametersSchema.safeParse(withoutLevel).success).toBe(false);
    expect(matchParametersSchema.safeParse({ ...parameters, thresholds: { autoMerge: 1, review: 2 } }).success).toBe(false);
    expect(matchParametersSchema.safeParse({ ...parameters, lambda: 0 }).success).toBe(false);
  });
  it('upgrades a stored set that predates a level: the new level scores as the one it was split from', () => {
    const parameters = initialMatchParameters('v0');
    const contact = parameters.comparisons['contact'];
    const { ['same-surname:address-unit']: _dropped, ...older } = contact?.levels ?? {};
    const stored = { ...parameters, comparisons: { ...parameters.comparisons, contact: { ...contact, levels: older } } };
    expect(matchParametersSchema.safeParse(stored).success).toBe(false);
    const upgraded = matchParametersSchema.parse(upgradeStoredParameters(stored));
    expect(upgraded.comparisons['contact']?.levels['same-surname:address-unit']).toEqual(contact?.levels['same-surname:address']);
  });
});
