import { sampleRandomPairs, trainMatchParameters } from './parameter-training';
import { matchParametersSchema } from './match-parameters.schema';
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
