import { emptyProfile, type CustomerProfile, type ProfileNeeds, type ProfileValue } from '../../shared-kernel/domain/customer-profile';
import { ValueByStageAccumulator } from './value-by-stage';

function customer(id: string, needs?: Partial<ProfileNeeds>, value?: Partial<ProfileValue>): CustomerProfile {
  const profile = emptyProfile(id);
  if (needs)
    profile.needs = {
      stage: 'prospecting',
      stageReason: '',
      facts: [],
      archetypes: [],
      unknown: [],
      updatedAt: '2026-12-01T00:00:00Z',
      ...needs,
    };
  if (value)
    profile.value = {
      tier: 'C',
      actualValue: 0,
      strategicValue: 0,
      purchases: 1,
      revenue: 1,
      currency: 'EUR',
      modelVersion: 'm',
      updatedAt: '2026-12-01T00:00:00Z',
      ...value,
    };
  return profile;
}

describe('value by relationship stage and needs archetype', () => {
  it('sums and averages value over the scored customers of each stage, in the order of the relationship', () => {
    const report = new ValueByStageAccumulator();
    report.add(
      customer('a', { stage: 'loyalty', archetypes: ['family', 'outdoor'] }, { tier: 'A', actualValue: 300, strategicValue: 400 }),
    );
    report.add(customer('b', { stage: 'loyalty', archetypes: ['family'] }, { tier: 'B', actualValue: 100, strategicValue: 100 }));
    report.add(customer('c', { stage: 'purchase' }, { tier: 'C', actualValue: 10.005, strategicValue: 20 }));
    report.add(customer('d', { stage: 'prospecting' }));
    report.add(customer('e'));
    const { customers, byStage, byArchetype } = report.report();
    expect(customers).toBe(5);
    expect(byStage.map((s) => s.stage)).toEqual(['prospecting', 'purchase', 'loyalty', 'unknown']);
    expect(byStage.find((s) => s.stage === 'loyalty')).toEqual({
      stage: 'loyalty',
      customers: 2,
      scored: 2,
      actualValue: 400,
      strategicValue: 500,
      meanActualValue: 200,
      meanStrategicValue: 250,
      tiers: { A: 1, B: 1 },
    });
    expect(byStage.find((s) => s.stage === 'prospecting')).toMatchObject({ customers: 1, scored: 0, meanActualValue: null });
    expect(byArchetype.map((a) => [a.archetype, a.customers, a.actualValue])).toEqual([
      ['family', 2, 400],
      ['outdoor', 1, 300],
      ['none', 3, 10.01],
    ]);
  });
});
