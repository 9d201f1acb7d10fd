import { defaultProfilingConfig } from '../profiling/domain/profiling-config';
import { simulateQuestions } from './question-priority.simulation';

describe('question priority simulation', () => {
  const results = simulateQuestions({ customers: 300, weeks: 6, weeklyCapacityShare: 0.1, seed: 7 }, defaultProfilingConfig);
  const of = (policy: string) => results.find((r) => r.policy === policy);
  const segment = (policy: string, name: string) => of(policy)?.segments.find((s) => s.segment === name);

  it('asks as many questions under both rankings: only who is asked changes', () => {
    expect(of('value-weighted')?.questionsAsked).toBe(of('unweighted')?.questionsAsked);
    expect(of('value-weighted')?.questionsAsked).toBe(6 * 30);
  });

  it('puts more of the questions to tier A customers, and completes more of their profiles, when questions are weighed by value', () => {
    expect(segment('value-weighted', 'A')?.questionsAsked ?? 0).toBeGreaterThan(segment('unweighted', 'A')?.questionsAsked ?? 0);
    expect(segment('value-weighted', 'A')?.complete ?? 0).toBeGreaterThan(segment('unweighted', 'A')?.complete ?? 0);
    expect(segment('value-weighted', 'D')?.questionsAsked ?? 0).toBeLessThan(segment('unweighted', 'D')?.questionsAsked ?? 0);
  });
});
