import { generatePopulation } from '@o2o/testing';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  ComparisonVector,
  comparisonVector,
  countVectors,
  defaultEmOptions,
  estimateParametersEm,
  estimateRandomPairPrior,
  expectedMatchCounts,
  hasConditionGroups,
  PairVectors,
  pooledGroupM,
  weightByNonMatch,
  withGroupUFrom,
  withNestedU,
  withUFromRandomPairs,
} from './em.estimator';
import { initialMatchParameters, MatchParameters } from './match-parameters.schema';
import { sampleRandomPairs } from './parameter-training';
import { prepareRecord } from './person-record.model';
import { ADDRESS_IN_AREA_LEVELS, COMPARISON_NAMES, COMPARISONS } from './record-comparison';

// A known mixture: draw comparison vectors from fixed m and u, then check that EM recovers them.
const truth: MatchParameters = (() => {
  const base = initialMatchParameters('truth');
  const comparisons = { ...base.comparisons };
  for (const name of COMPARISON_NAMES) {
    const current = comparisons[name];
    if (current === undefined) continue;
    const levels = { ...current.levels };
    const list = COMPARISONS[name];
    const first = list[0];
    const last = list[list.length - 1];
    // Sharpen: matches mostly agree exactly, non-matches mostly disagree.
    if (first !== undefined && last !== undefined && levels[first] !== undefined && levels[last] !== undefined) {
      const f = levels[first];
      const l = levels[last];
      if (f !== undefined && l !== undefined) {
        levels[first] = { m: f.m + 0.3 * l.m, u: f.u };
        levels[last] = { m: l.m * 0.7, u: l.u };
      }
    }
    comparisons[name] = { ...current, levels };
  }
  return { ...base, comparisons, lambda: 0.3 };
})();

function draw(rng: ReturnType<typeof xoroshiro128plus>, probabilities: readonly number[]): number {
  let target = uniformFloat64(rng);
  for (let i = 0; i < probabilities.length; i += 1) {
    target -= probabilities[i] ?? 0;
    if (target < 0) return i;
  }
  return probabilities.length - 1;
}

function sample(count: number, seed: number): ComparisonVector[] {
  const rng = xoroshiro128plus(seed);
  return Array.from({ length: count }, () => {
    const isMatch = uniformFloat64(rng) < truth.lambda;
    return COMPARISON_NAMES.map((name) => {
      if (name === 'contact') return null; // exercised as missing data
      const levels = COMPARISONS[name];
      return draw(
        rng,
        levels.map((level) => truth.comparisons[name]?.levels[level]?.[isMatch ? 'm' : 'u'] ?? 0),
      );
    });
  });
}

describe('estimateParametersEm', () => {
  const data = countVectors(sample(20_000, 7));
  const start = initialMatchParameters('start');

  it('recovers lambda, m and u of a known mixture', () => {
    const fitted = estimateParametersEm(data, { ...start, lambda: 0.1 }, { ...defaultEmOptions, fixU: false, version: 'v-test' });
    expect(fitted.version).toBe('v-test');
    expect(fitted.training?.converged).toBe(true);
    expect(fitted.lambda).toBeCloseTo(truth.lambda, 1);
    for (const name of ['firstName', 'birthDate', 'nationalId'] as const) {
      const exact = COMPARISONS[name][0];
      expect(fitted.comparisons[name]?.levels[exact]?.m).toBeCloseTo(truth.comparisons[name]?.levels[exact]?.m ?? 0, 1);
      expect(fitted.comparisons[name]?.levels[exact]?.u).toBeCloseTo(truth.comparisons[name]?.levels[exact]?.u ?? 0, 1);
    }
  });

  it('is deterministic', () => {
    const options = { ...defaultEmOptions, fixU: false, version: 'v' };
    expect(estimateParametersEm(data, start, options)).toEqual(estimateParametersEm(data, start, options));
  });

  it('leaves excluded comparisons and a fixed u untouched', () => {
    const fitted = estimateParametersEm(data, start, { ...defaultEmOptions, fixU: true, excluded: ['birthDate'], version: 'v' });
    expect(fitted.comparisons['birthDate']).toEqual(start.comparisons['birthDate']);
    expect(fitted.comparisons['firstName']?.levels['exact']?.u).toBe(start.comparisons['firstName']?.levels['exact']?.u);
    expect(fitted.comparisons['firstName']?.levels['exact']?.m).not.toBe(start.comparisons['firstName']?.levels['exact']?.m);
  });
});

describe('u from random pairs and the random-pair prior', () => {
  it('takes u as the smoothed level frequencies of random pairs', () => {
    const vectors = countVectors([
      [0, null, null, null, null],
      [6, null, null, null, null],
      [6, null, null, null, null],
      [6, null, null, null, null],
    ]);
    const withU = withUFromRandomPairs(initialMatchParameters(), vectors, 0);
    expect(withU.comparisons['firstName']?.levels['exact']?.u).toBeCloseTo(0.25, 9);
    expect(withU.comparisons['firstName']?.levels['else']?.u).toBeCloseTo(0.75, 9);
  });

  it('weights likely matches out of random pairs', () => {
    const vectors = countVectors([
      [0, 0, 0, null, 0],
      [6, 4, 4, null, 2],
    ]);
    const weighted = weightByNonMatch(vectors, { ...truth, lambda: 0.01 });
    const byFirstLevel = new Map(weighted.vectors.map((vector, index) => [vector[0], weighted.counts[index] ?? 0]));
    expect(byFirstLevel.get(0)).toBeLessThan(0.5);
    expect(byFirstLevel.get(6)).toBeGreaterThan(0.99);
  });

  it('finds the prior as expected matches over all pairs', () => {
    // 10 unmistakable matches among 1,000 candidates of 100,000 pairs: lambda close to 1e-4.
    const vectors: ComparisonVector[] = [
      ...Array.from({ length: 10 }, (): ComparisonVector => [0, 0, 0, null, 0]),
      ...Array.from({ length: 990 }, (): ComparisonVector => [6, 4, 4, null, 2]),
    ];
    const lambda = estimateRandomPairPrior(countVectors(vectors), { ...truth, lambda: 0.5 }, 100_000);
    expect(lambda).toBeGreaterThan(0.8e-4);
    expect(lambda).toBeLessThan(1.3e-4);
  });
});

describe('u of address levels nested in one postcode', () => {
  const contactAt = COMPARISON_NAMES.indexOf('contact');
  const level = (name: string): number => COMPARISONS.contact.indexOf(name as (typeof COMPARISONS.contact)[number]);
  const pairsAt = (counts: Record<string, number>): ReturnType<typeof countVectors> =>
    countVectors(
      Object.entries(counts).flatMap(([name, count]) =>
        Array.from({ length: count }, (): ComparisonVector => COMPARISON_NAMES.map((_, c) => (c === contactAt ? level(name) : null))),
      ),
    );
  const u = (parameters: MatchParameters, name: string): number => parameters.comparisons['contact']?.levels[name]?.u ?? Number.NaN;
  const nestedMass = (parameters: MatchParameters): number =>
    COMPARISONS.contact
      .filter((name) => name.startsWith('other-surname:') && ADDRESS_IN_AREA_LEVELS.has(name.slice('other-surname:'.length)))
      .reduce((sum, name) => sum + u(parameters, name), 0);
  // Random pairs: one in 500 of different surnames shares a postcode, none shares a street address.
  const start = withUFromRandomPairs(
    initialMatchParameters(),
    pairsAt({ 'other-surname:area-street-differs': 200, 'other-surname:else': 99_800 }),
  );

  it('shares the in-area mass out by how often each level occurs within one postcode', () => {
    const nested = withNestedU(
      start,
      'contact',
      'other-surname',
      ADDRESS_IN_AREA_LEVELS,
      pairsAt({ 'other-surname:area-street-differs': 99_990, 'other-surname:address-unit': 10 }),
    );
    expect(nestedMass(nested)).toBeCloseTo(nestedMass(start), 12);
    // 10 in 100,000 within the postcode, the postcode itself 1 in 500: about 2e-7, below the 5e-6 floor random pairs give.
    expect(u(nested, 'other-surname:address-unit')).toBeGreaterThan(1e-7);
    expect(u(nested, 'other-surname:address-unit')).toBeLessThan(3e-7);
    expect(u(start, 'other-surname:address-unit')).toBeGreaterThan(1e-6);
    expect(u(nested, 'other-surname:else')).toBe(u(start, 'other-surname:else'));
    expect(u(nested, 'same-surname:address-unit')).toBe(u(start, 'same-surname:address-unit'));
  });

  it('keeps a shared address weak where people in one postcode often share it (flat-shares)', () => {
    const nested = withNestedU(
      start,
      'contact',
      'other-surname',
      ADDRESS_IN_AREA_LEVELS,
      pairsAt({ 'other-surname:area-street-differs': 700, 'other-surname:address-unit': 300 }),
    );
    expect(u(nested, 'other-surname:address-unit')).toBeGreaterThan(u(start, 'other-surname:address-unit'));
  });

  it('keeps u as it was when too few pairs share a postcode to tell', () => {
    const nested = withNestedU(
      start,
      'contact',
      'other-surname',
      ADDRESS_IN_AREA_LEVELS,
      pairsAt({ 'other-surname:area-street-differs': 150 }),
      200,
    );
    expect(nested).toBe(start);
  });
});

describe('u of one condition group taken from another', () => {
  const contactAt = COMPARISON_NAMES.indexOf('contact');
  const level = (name: string): number => COMPARISONS.contact.indexOf(name as (typeof COMPARISONS.contact)[number]);
  const u = (parameters: MatchParameters, name: string): number => parameters.comparisons['contact']?.levels[name]?.u ?? Number.NaN;
  const m = (parameters: MatchParameters, name: string): number => parameters.comparisons['contact']?.levels[name]?.m ?? Number.NaN;
  const start = withUFromRandomPairs(
    initialMatchParameters(),
    countVectors(
      Object.entries({
        'other-surname:address': 3,
        'other-surname:else': 900,
        'same-surname:address': 40,
        'same-surname:else': 57,
      }).flatMap(([name, count]) =>
        Array.from({ length: count }, (): ComparisonVector => COMPARISON_NAMES.map((_, c) => (c === contactAt ? level(name) : null))),
      ),
    ),
  );

  it('copies u level for level, keeps m and the source group, and sums to one within the group', () => {
    const copied = withGroupUFrom(start, 'contact', 'same-surname', 'other-surname');
    expect(u(start, 'same-surname:address')).toBeGreaterThan(10 * u(start, 'other-surname:address'));
    for (const name of COMPARISONS.contact.filter((item) => item.startsWith('same-surname:'))) {
      expect(u(copied, name)).toBe(u(start, `other-surname:${name.slice('same-surname:'.length)}`));
      expect(m(copied, name)).toBe(m(start, name));
    }
    for (const name of COMPARISONS.contact.filter((item) => item.startsWith('other-surname:')))
      expect(u(copied, name)).toBe(u(start, name));
    const sum = COMPARISONS.contact.filter((item) => item.startsWith('same-surname:')).reduce((total, name) => total + u(copied, name), 0);
    expect(sum).toBeCloseTo(1, 9);
  });
});

describe('expected match counts and m pooled over sessions', () => {
  const level = (name: string): number => COMPARISONS.contact.indexOf(name as (typeof COMPARISONS.contact)[number]);

  it('counts each pair by its posterior chance of a match, leaving excluded comparisons uncounted', () => {
    const data = countVectors(sample(5_000, 11));
    const fitted = estimateParametersEm(data, truth, { ...defaultEmOptions, fixU: true, excluded: ['birthDate'], version: 'v' });
    const counts = expectedMatchCounts(data, fitted, ['birthDate']);
    const birthDateRow = counts[COMPARISON_NAMES.indexOf('birthDate')] ?? [];
    expect(birthDateRow.every((count) => count === 0)).toBe(true);
    // Every pair has a first name here: its row sums to the expected number of matches, lambda of the sample.
    const firstNames = (counts[COMPARISON_NAMES.indexOf('firstName')] ?? []).reduce((sum, count) => sum + count, 0);
    expect(firstNames / 5_000).toBeCloseTo(truth.lambda, 1);
    expect(firstNames).toBeGreaterThan(0);
  });

  it('pools counts so that a session with almost no matches in a group does not flatten its m', () => {
    expect(hasConditionGroups('contact')).toBe(true);
    expect(hasConditionGroups('firstName')).toBe(false);
    const row = (entries: Record<string, number>): number[] => COMPARISONS.contact.map((name) => entries[name] ?? 0);
    // One session sees 300 different-surname matches, all at one address; another sees one, in another state.
    const rich = row({ 'other-surname:address-unit': 300 });
    const poor = row({ 'other-surname:else': 1 });
    const pooled = pooledGroupM('contact', [rich, poor]);
    const alone = pooledGroupM('contact', [poor]);
    const averaged = ((alone[level('other-surname:else')] ?? 0) + (pooledGroupM('contact', [rich])[level('other-surname:else')] ?? 0)) / 2;
    expect(pooled[level('other-surname:else')]).toBeLessThan(0.01);
    expect(averaged).toBeGreaterThan(0.05);
    const groupSum = COMPARISONS.contact
      .filter((name) => name.startsWith('other-surname:'))
      .reduce((sum, name) => sum + (pooled[level(name)] ?? 0), 0);
    expect(groupSum).toBeCloseTo(1, 9);
  });
});

describe('PairVectors', () => {
  const records = generatePopulation({ seed: 77, people: { people: 30 }, events: false }).traitRecords.map((record) =>
    prepareRecord(record.recordId, record),
  );

  it('gives the vector comparing the two records would, comparing each ordered pair once', () => {
    // Far more draws than distinct pairs, as a young store's training samples.
    const pairs = sampleRandomPairs(records, 20 * records.length * records.length, 5);
    const compared = new PairVectors();
    const memoised = countVectors(pairs.map(([a, b]) => compared.of(a, b)));
    expect(memoised).toEqual(countVectors(pairs.map(([a, b]) => comparisonVector(a, b))));
    const distinct = new Set(pairs.map(([a, b]) => `${a.recordId}|${b.recordId}`)).size;
    expect(compared.compared).toBe(distinct);
    expect(distinct).toBeLessThan(pairs.length / 10);
  });

  it('counts a vector object met again as the vector it is', () => {
    const [a, b, c] = records;
    if (a === undefined || b === undefined || c === undefined) throw new Error('population too small');
    const compared = new PairVectors();
    const again = [compared.of(a, b), compared.of(a, c), compared.of(a, b), compared.of(a, b), compared.of(b, c)];
    const fresh = [comparisonVector(a, b), comparisonVector(a, c), comparisonVector(a, b), comparisonVector(a, b), comparisonVector(b, c)];
    expect(countVectors(again)).toEqual(countVectors(fresh));
    expect(countVectors(again).counts.reduce((sum, count) => sum + count, 0)).toBe(5);
  });

  it('keeps the two orders of a pair apart', () => {
    const [a, b] = records;
    if (a === undefined || b === undefined) throw new Error('population too small');
    const compared = new PairVectors();
    expect(compared.of(a, b)).toEqual(comparisonVector(a, b));
    expect(compared.of(b, a)).toEqual(comparisonVector(b, a));
    expect(compared.of(a, b)).toBe(compared.of(a, b));
    expect(compared.compared).toBe(2);
  });
});
