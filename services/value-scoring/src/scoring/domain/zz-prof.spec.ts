import { summariseTransactions } from '/work/main/services/value-scoring/src/scoring/domain/customer-summary';
import { fitParetoNbd } from '/work/main/services/value-scoring/src/scoring/domain/pareto-nbd.model';
import { generateSyntheticPopulation } from '/work/main/services/value-scoring/src/scoring/domain/synthetic-population';
it('prof', () => {
  const truth = { r: 0.9, alpha: 7, s: 0.8, beta: 12 };
  const population = generateSyntheticPopulation({ customers: 3000, seed: 5, purchases: { model: 'pareto-nbd', params: truth }, spend: { p: 6, q: 4, v: 15 },
    acquisitionStart: new Date('2020-01-01T00:00:00Z'), acquisitionEnd: new Date('2020-04-01T00:00:00Z'), calibrationEnd: new Date('2021-07-01T00:00:00Z'), holdoutEnd: new Date('2021-07-01T00:00:00Z') });
  const summaries = summariseTransactions(population.transactions, { calibrationEnd: new Date('2021-07-01T00:00:00Z'), granularity: 'exact' });
  let t0 = Date.now();
  const fit = fitParetoNbd(summaries, { standardErrors: false });
  console.log(JSON.stringify(fit), Date.now() - t0);
});
