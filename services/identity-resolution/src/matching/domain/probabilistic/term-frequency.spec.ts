import { prepareRecord } from './person-record.model';
import { CountedTermFrequencies } from './term-frequency';

describe('CountedTermFrequencies', () => {
  it('gives the share of records with a value among those with the field', () => {
    const table = CountedTermFrequencies.fromRecords([
      prepareRecord('1', { lastName: 'Smith' }),
      prepareRecord('2', { lastName: 'smith' }),
      prepareRecord('3', { lastName: 'Zielinski', firstName: 'Ann' }),
      prepareRecord('4', { firstName: 'Ann' }),
    ]);
    expect(table.frequency('lastName', 'smith')).toBeCloseTo(2 / 3);
    expect(table.frequency('lastName', 'zielinski')).toBeCloseTo(1 / 3);
    expect(table.frequency('firstName', 'ann')).toBe(1);
    expect(table.frequency('lastName', 'nobody')).toBeUndefined();
  });
});
