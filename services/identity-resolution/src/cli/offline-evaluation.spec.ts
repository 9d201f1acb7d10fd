import { clusterMetrics, pairErrors } from './offline-evaluation';

describe('pairErrors', () => {
  // Truth: a1, a2, a3 are one person, b1 and b2 another, c1 a third.
  const truth = new Map([
    ['a1', 'a'],
    ['a2', 'a'],
    ['a3', 'a'],
    ['b1', 'b'],
    ['b2', 'b'],
    ['c1', 'c'],
  ]);

  it('lists the pairs linked across people and the pairs of one person left apart, as many as the metrics count', () => {
    // a3 sits with b1 (a stranger), b2 is alone, c1 is not answered at all.
    const predicted = new Map([
      ['a1', 'x'],
      ['a2', 'x'],
      ['a3', 'y'],
      ['b1', 'y'],
      ['b2', 'z'],
    ]);
    const errors = pairErrors(predicted, truth);
    expect(errors.falsePairs).toEqual([['a3', 'b1']]);
    expect(errors.missedPairs).toEqual([
      ['a1', 'a3'],
      ['a2', 'a3'],
      ['b1', 'b2'],
    ]);
    const metrics = clusterMetrics(predicted, truth);
    expect(errors.falsePairs).toHaveLength(metrics.falsePairs);
    expect(errors.missedPairs).toHaveLength(metrics.missedPairs);
  });

  it('lists nothing for the true clustering, and keeps to the limit', () => {
    expect(pairErrors(truth, truth)).toEqual({ falsePairs: [], missedPairs: [] });
    const allApart = new Map<string, string>();
    expect(pairErrors(allApart, truth, 2).missedPairs).toHaveLength(2);
  });
});
