import { pairwiseMetrics } from './pairwise-metrics';

describe('pairwiseMetrics', () => {
  const truth = new Map([
    ['r1', 'p1'],
    ['r2', 'p1'],
    ['r3', 'p1'],
    ['r4', 'p2'],
    ['r5', 'p2'],
  ]);

  it('counts pairs within clusters against the truth', () => {
    // Predicted {r1,r2} {r3,r4,r5}: true pairs 3 + 1 = 4, predicted 1 + 3 = 4, correct r1r2 + r4r5 = 2.
    const predicted = new Map([
      ['r1', 'a'],
      ['r2', 'a'],
      ['r3', 'b'],
      ['r4', 'b'],
      ['r5', 'b'],
    ]);
    expect(pairwiseMetrics(predicted, truth)).toEqual({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      truePositivePairs: 2,
      predictedPairs: 4,
      truePairs: 4,
    });
  });

  it('treats unassigned records as singletons', () => {
    const metrics = pairwiseMetrics(new Map(), truth);
    expect(metrics).toMatchObject({ precision: 1, recall: 0, predictedPairs: 0, truePairs: 4 });
  });

  it('scores a perfect clustering 1', () => {
    expect(pairwiseMetrics(truth, truth)).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });
});
