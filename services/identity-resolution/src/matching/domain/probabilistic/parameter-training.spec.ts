import { generatePopulation } from '@o2o/testing';
import { MIN_HOUSEHOLD_EVIDENCE_PAIRS, sampleRandomPairs, sampleSameKeyPairs, trainMatchParameters } from './parameter-training';
import { MatchParameters, matchParametersSchema } from './match-parameters.schema';
import { prepareRecord } from './person-record.model';

describe('sampleRandomPairs', () => {
  it('is reproducible from its seed and never pairs an item with itself', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const pairs = sampleRandomPairs(items, 500, 9);
    expect(pairs).toEqual(sampleRandomPairs(items, 500, 9));
    expect(pairs).not.toEqual(sampleRandomPairs(items, 500, 10));
    expect(pairs.every(([a, b]) => a !== b)).toBe(true);
    expect(sampleRandomPairs([1], 5, 1)).toEqual([]);
  });
});

describe('sampleSameKeyPairs', () => {
  it('draws pairs within one key, from every group in proportion to its pairs', () => {
    // Groups of 2, 3 and 6 records (1, 3 and 15 pairs) and one record alone.
    const sizes: Array<[string, number]> = [
      ['2000', 2],
      ['3000', 3],
      ['4000', 6],
      ['5000', 1],
    ];
    const records = sizes.flatMap(([postcode, size]) =>
      Array.from({ length: size }, (_, i) => prepareRecord(`${postcode}-${i}`, { firstName: `N${i}`, lastName: 'Lee', postcode })),
    );
    const pairs = sampleSameKeyPairs(records, (record) => record.postcode, 3800, 4);
    expect(pairs.length).toBe(3800);
    expect(pairs.every(([a, b]) => a.postcode === b.postcode && a.recordId !== b.recordId)).toBe(true);
    const share = (postcode: string): number => pairs.filter(([a]) => a.postcode === postcode).length / pairs.length;
    expect(share('5000')).toBe(0);
    expect(share('2000')).toBeGreaterThan(0.02);
    expect(share('2000')).toBeLessThan(0.1);
    expect(share('4000')).toBeGreaterThan(0.7);
    expect(share('4000')).toBeLessThan(0.8);
    expect(sampleSameKeyPairs(records, (record) => record.postcode, 3800, 4)).toEqual(pairs);
  });
});

describe('trainMatchParameters', () => {
  it('returns a valid versioned estimate even on tiny data', () => {
    const records = [
      prepareRecord('1', { firstName: 'Ann', lastName: 'Lee', birthDate: '1990-01-01', postcode: '2000' }),
      prepareRecord('2', { firstName: 'Anne', lastName: 'Lee', birthDate: '1990-01-01', postcode: '2000' }),
      prepareRecord('3', { firstName: 'Bob', lastName: 'Ng', birthDate: '1970-05-05', postcode: '3000' }),
    ];
    const parameters = trainMatchParameters(records, { version: 'tiny', seed: 1, randomPairs: 100, maxBlockSize: 50 });
    expect(matchParametersSchema.safeParse(parameters).success).toBe(true);
    expect(parameters.version).toBe('tiny');
    expect(parameters.training?.uSource).toBe('random-pairs');
    expect(trainMatchParameters(records, { version: 'tiny', seed: 1, randomPairs: 100, maxBlockSize: 50 })).toEqual(parameters);
  });
});

describe('household measurement', () => {
  const population = generatePopulation({ seed: 515, people: { people: 1500 }, events: false });
  const householdOf = new Map(population.people.map((person) => [person.personId, person.householdId]));
  const uOf = (parameters: MatchParameters, level: string): number => parameters.comparisons.contact?.levels[level]?.u ?? Number.NaN;
  const train = (records: ReturnType<typeof prepareRecord>[]) =>
    trainMatchParameters(records, { version: 'households', seed: 3, randomPairs: 40_000, maxBlockSize: 200 });

  it('finds households where family members share surname and address', () => {
    const parameters = train(population.traitRecords.map((record) => prepareRecord(record.recordId, record)));
    const households = parameters.households;
    expect(households?.pairs).toBeGreaterThanOrEqual(MIN_HOUSEHOLD_EVIDENCE_PAIRS);
    expect(households?.bothDiffer).toBeGreaterThan(10 * (households?.expectedFromErrors ?? 0));
    expect(households?.present).toBe(true);
    // Sharing a surname makes sharing an address likelier among different people: measured apart.
    expect(uOf(parameters, 'same-surname:address')).toBeGreaterThan(10 * uOf(parameters, 'other-surname:address'));
  });

  it('finds none when each address holds one person, however mistyped their records are', () => {
    // The same records, keeping one person per household: what a deduplication set looks like.
    const first = new Map<string, string>();
    for (const person of population.people) if (!first.has(person.householdId)) first.set(person.householdId, person.personId);
    const kept = population.traitRecords.filter((record) => {
      const person = population.truth.personOfRecord.get(record.recordId) ?? '';
      return first.get(householdOf.get(person) ?? '') === person;
    });
    const parameters = train(kept.map((record) => prepareRecord(record.recordId, record)));
    const households = parameters.households;
    expect(households?.pairs).toBeGreaterThanOrEqual(MIN_HOUSEHOLD_EVIDENCE_PAIRS);
    expect(households?.present).toBe(false);
    // Without households a surname says nothing about the address of different people: the
    // same-surname levels take the u measured over other-surname pairs, level for level.
    for (const level of ['address', 'address-unit', 'area-street-differs', 'else'])
      expect(uOf(parameters, `same-surname:${level}`)).toBe(uOf(parameters, `other-surname:${level}`));
  });

  it('assumes households when too few pairs share surname and address to tell', () => {
    const records = population.traitRecords.slice(0, 60).map((record) => prepareRecord(record.recordId, record));
    const households = train(records).households;
    expect(households?.pairs).toBeLessThan(MIN_HOUSEHOLD_EVIDENCE_PAIRS);
    expect(households?.present).toBe(true);
  });
});
