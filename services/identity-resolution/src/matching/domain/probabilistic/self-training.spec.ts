import { initialMatchParameters } from './match-parameters.schema';
import { prepareRecord } from './person-record.model';
import { acceptEstimate, decisionFit, largestWeightChange, trainingDue } from './self-training';

describe('self-training', () => {
  it('is due from the minimum size on, then each time the store grows by the factor', () => {
    const policy = { minRecords: 100, growth: 1.5 };
    expect(trainingDue(99, 0, policy)).toBe(false);
    expect(trainingDue(100, 0, policy)).toBe(true);
    expect(trainingDue(149, 100, policy)).toBe(false);
    expect(trainingDue(150, 100, policy)).toBe(true);
  });

  const jane = prepareRecord('a', {
    firstName: 'Jane',
    lastName: 'Zielinski',
    birthDate: '1984-03-07',
    street: '12 Wattle St',
    city: 'Carlton',
    postcode: '3053',
  });
  const janeAgain = prepareRecord('b', {
    firstName: 'Jane',
    lastName: 'Zielinski',
    birthDate: '1984-03-07',
    street: '12 Wattle St',
    city: 'Carlton',
    postcode: '3053',
  });
  const stranger = prepareRecord('c', {
    firstName: 'Omar',
    lastName: 'Haddad',
    birthDate: '1950-11-30',
    street: '3 High St',
    city: 'Perth',
    postcode: '6000',
  });
  const decisions = [
    { accepted: true, left: [jane], right: [janeAgain] },
    { accepted: false, left: [jane], right: [stranger] },
  ];

  it('counts the review decisions parameters reproduce', () => {
    const parameters = initialMatchParameters('v1');
    expect(decisionFit(parameters, decisions)).toEqual({ agreeing: 2, decided: 2 });
    // A model that merges everything gets the rejection wrong.
    const reckless = { ...parameters, thresholds: { autoMerge: -1000, review: -1000 } };
    expect(decisionFit(reckless, decisions)).toEqual({ agreeing: 1, decided: 2 });
    expect(decisionFit(parameters, [{ accepted: true, left: [], right: [jane] }])).toEqual({ agreeing: 0, decided: 0 });
  });

  it('refuses an estimate that reproduces fewer decisions than the current parameters', () => {
    const current = initialMatchParameters('v1');
    const worse = { ...initialMatchParameters('v2'), thresholds: { autoMerge: -1000, review: -1000 } };
    expect(acceptEstimate(current, worse, decisions).accepted).toBe(false);
    expect(acceptEstimate(worse, current, decisions).accepted).toBe(true);
    expect(acceptEstimate(current, worse, []).accepted).toBe(true);
  });

  it('measures how far new parameters move any weight, in bits', () => {
    const before = initialMatchParameters('v1');
    expect(largestWeightChange(before, initialMatchParameters('v2'))).toBe(0);
    const levels = before.comparisons['birthDate']?.levels ?? {};
    const exact = levels['exact'] ?? { m: 0.5, u: 0.5 };
    const after = {
      ...before,
      comparisons: {
        ...before.comparisons,
        birthDate: { termFrequencyWeight: 0, levels: { ...levels, exact: { m: exact.m, u: exact.u / 4 } } },
      },
    };
    expect(largestWeightChange(before, after)).toBeCloseTo(2, 9);
    expect(largestWeightChange(before, { ...before, lambda: before.lambda * 2 })).toBeGreaterThan(0.9);
  });

  it('counts a changed finding on households as a change worth matching every record again', () => {
    const before = initialMatchParameters('v1');
    const absent = { ...before, households: { pairs: 500, bothDiffer: 2, expectedFromErrors: 3, present: false } };
    expect(largestWeightChange(before, absent)).toBe(Number.POSITIVE_INFINITY);
    expect(largestWeightChange(absent, { ...absent, households: { ...absent.households, pairs: 800 } })).toBe(0);
    expect(largestWeightChange(before, { ...absent, households: { ...absent.households, present: true } })).toBe(0);
  });
});
