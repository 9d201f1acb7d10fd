import { generatePopulation, pairwiseMetrics } from '@o2o/testing';
import {
  clusterRecords,
  CountedTermFrequencies,
  InMemoryBlockingIndex,
  prepareRecord,
  scorePair,
  trainMatchParameters,
} from './index';

const SEED = 4242;

describe('probabilistic matching accuracy on synthetic personal-trait records', () => {
  it('clusters noisy records with high precision and recall', () => {
    const population = generatePopulation({ seed: SEED, people: { people: 1000 }, events: false });
    const records = population.traitRecords.map((record) => prepareRecord(record.recordId, record));
    const truth = population.truth.personOfRecord;

    const parameters = trainMatchParameters(records, {
      version: 'accuracy-test',
      seed: SEED,
      randomPairs: 30_000,
      maxBlockSize: 200,
      thresholds: { autoMerge: 6.64, review: 0 },
    });
    const termFrequencies = CountedTermFrequencies.fromRecords(records);
    const byId = new Map(records.map((record) => [record.recordId, record] as const));
    const index = new InMemoryBlockingIndex(200);
    for (const record of records) index.add(record);
    const pairs = index.pairs();

    const links = pairs.flatMap(([a, b]) => {
      const x = byId.get(a);
      const y = byId.get(b);
      if (x === undefined || y === undefined) return [];
      return [{ a, b, weight: scorePair(x, y, parameters, termFrequencies).totalWeight }];
    });
    const clustering = clusterRecords(records.map((record) => record.recordId), links, parameters.thresholds.autoMerge);
    const metrics = pairwiseMetrics(clustering.clusterOf, truth);

    const truePairsBlocked = pairs.filter(([a, b]) => truth.get(a) === truth.get(b)).length;
    const pairMetrics = pairwiseMetrics(new Map(), truth);
    console.log(JSON.stringify({ records: records.length, candidatePairs: pairs.length, blockingRecall: truePairsBlocked / pairMetrics.truePairs, lambda: parameters.lambda, training: parameters.training, held: clustering.heldForReview.length, ...metrics }, null, 2));
    console.log(JSON.stringify(parameters.comparisons, (key, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(5)) : value), 1));
    const fp = links.filter((l) => l.weight >= 6.64 && truth.get(l.a) !== truth.get(l.b)).sort((x, y) => y.weight - x.weight).slice(0, 8);
    for (const l of fp) {
      const x = byId.get(l.a); const y = byId.get(l.b);
      if (x && y) console.log('FP', l.weight.toFixed(1), JSON.stringify(population.traitRecords.find((r) => r.recordId === l.a)), JSON.stringify(population.traitRecords.find((r) => r.recordId === l.b)), scorePair(x, y, parameters, termFrequencies).comparisons.map((c) => `${c.comparison}:${c.level}:${c.weight.toFixed(1)}`).join(' '));
    }
    const fn = links.filter((l) => l.weight < 6.64 && truth.get(l.a) === truth.get(l.b) && clustering.clusterOf.get(l.a) !== clustering.clusterOf.get(l.b)).sort((x, y) => y.weight - x.weight).slice(0, 12);
    for (const l of fn) {
      const x = byId.get(l.a); const y = byId.get(l.b);
      if (x && y) console.log('FN', l.weight.toFixed(1), JSON.stringify(population.traitRecords.find((r) => r.recordId === l.a)), JSON.stringify(population.traitRecords.find((r) => r.recordId === l.b)), scorePair(x, y, parameters, termFrequencies).comparisons.map((c) => `${c.comparison}:${c.level}:${c.weight.toFixed(1)}`).join(' '));
    }
    const bins = (ws: number[]) => { const h: Record<string, number> = {}; for (const w of ws) { const b = Math.max(-10, Math.min(20, Math.floor(w / 2) * 2)); h[b] = (h[b] ?? 0) + 1; } return h; };
    console.log('true', JSON.stringify(bins(links.filter((l) => truth.get(l.a) === truth.get(l.b)).map((l) => l.weight))));
    console.log('false', JSON.stringify(bins(links.filter((l) => truth.get(l.a) !== truth.get(l.b)).map((l) => l.weight))));
    expect(metrics.precision).toBeGreaterThan(0.99);
  });
});
