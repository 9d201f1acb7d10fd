import { defaultProfilingConfig, parseProfilingConfig, ProfilingConfigError } from './profiling-config';

describe('profiling configuration', () => {
  it('works from an empty document', () => {
    expect(parseProfilingConfig({})).toEqual(defaultProfilingConfig);
    expect(parseProfilingConfig(undefined)).toEqual(defaultProfilingConfig);
    expect(defaultProfilingConfig.questionBank.questions.length).toBeGreaterThan(0);
    expect(defaultProfilingConfig.archetypes.map((a) => a.id)).toContain('works-from-home');
  });

  it('overrides one setting without losing the defaults around it', () => {
    const config = parseProfilingConfig({ affinity: { halfLifeDays: 7 }, stages: { loyalty: { minTenureDays: 365 } } });
    expect(config.affinity.halfLifeDays).toBe(7);
    expect(config.affinity.signals).toEqual(defaultProfilingConfig.affinity.signals);
    expect(config.stages.loyalty).toEqual({ minPurchases: defaultProfilingConfig.stages.loyalty.minPurchases, minTenureDays: 365 });
    expect(config.stages.lapsingAfterDays).toBe(defaultProfilingConfig.stages.lapsingAfterDays);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseProfilingConfig({
        affinity: { halfLifeDays: 0 },
        evidenceLimits: { purchases: 3 },
        archetypes: [{ id: 'x', when: { fact: 'a', op: 'between' } }],
        questionBank: { questions: [{ id: 'q', factKey: 'k', purpose: 'p', value: 1, wording: {} }] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfilingConfigError);
    const paths = (error as ProfilingConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['affinity.halfLifeDays', 'archetypes.0.when', 'questionBank.questions.0.wording']));
  });

  it('refuses thresholds the bounded evidence could never reach', () => {
    expect(() => parseProfilingConfig({ evidenceLimits: { purchases: 3 } })).toThrow(/stages\.loyalty\.minPurchases/);
  });
});
