import fc from 'fast-check';
import { classifyWeight, differentFirstNames, scorePair } from './fellegi-sunter.scorer';
import { initialMatchParameters, MatchParameters } from './match-parameters.schema';
import { PersonalTraits, prepareRecord } from './person-record.model';
import { CountedTermFrequencies, TermFrequencies } from './term-frequency';

// Untrained but plausible parameters: the properties below must hold for any sensible m/u.
const parameters: MatchParameters = { ...initialMatchParameters('spec'), lambda: 0.001 };

const nameArb = fc.oneof(
  fc.constantFrom('Ann', 'Bill', 'William', 'Catherine', 'Kathryn', 'Smith', 'Smyth', 'Nguyen', "O'Brien", 'José', 'Anne-Marie'),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), minLength: 2, maxLength: 10 }),
);
const dateArb = fc
  .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2005-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const traitsArb: fc.Arbitrary<PersonalTraits> = fc.record(
  {
    firstName: nameArb,
    lastName: nameArb,
    street: fc
      .tuple(fc.integer({ min: 1, max: 300 }), fc.constantFrom('Smith St', 'George Street', 'Park Rd', 'Ocean Pde'))
      .map(([n, s]) => `${n} ${s}`),
    line2: fc.constantFrom('Unit 1', 'Apt 2'),
    city: fc.constantFrom('Surry Hills', 'Fitzroy', 'Saint Kilda'),
    postcode: fc.constantFrom('2010', '3065', '3182'),
    state: fc.constantFrom('NSW', 'Victoria'),
    birthDate: dateArb,
    phone: fc.constantFrom('0412 555 123', '0412 555 124', '(02) 9876 5432'),
    nationalId: fc.constantFrom('123456782', '123456728', '987654321'),
  },
  { requiredKeys: [] },
);

describe('scorePair', () => {
  it('explains every comparison and classifies by the thresholds', () => {
    const a = prepareRecord('a', {
      firstName: 'Bill',
      lastName: 'Smith',
      birthDate: '1984-03-07',
      postcode: '2010',
      street: '12 Smith St',
    });
    const b = prepareRecord('b', {
      firstName: 'William',
      lastName: 'Smith',
      birthDate: '07/03/1984',
      postcode: '2010',
      street: '12 Smith Street',
    });
    const score = scorePair(a, b, parameters);
    expect(score.comparisons.map((c) => [c.comparison, c.level])).toEqual([
      ['firstName', 'nickname'],
      ['lastName', 'exact'],
      ['birthDate', 'exact'],
      ['contact', 'same-surname:address'],
      ['nationalId', null],
    ]);
    const sum = score.comparisons.reduce((total, c) => total + c.weight, score.priorWeight);
    expect(score.totalWeight).toBeCloseTo(sum, 12);
    expect(score.matchProbability).toBeCloseTo(1 / (1 + 2 ** -score.totalWeight), 12);
    expect(score.decision).toBe(classifyWeight(score.totalWeight, parameters.thresholds));
    expect(score.parametersVersion).toBe('spec');
  });

  it('weighs agreement on a rare surname above agreement on a common one', () => {
    const records = [
      ...Array.from({ length: 30 }, (_, i) => prepareRecord(`s${i}`, { lastName: 'Smith' })),
      prepareRecord('z', { lastName: 'Zielinski' }),
    ];
    const table = CountedTermFrequencies.fromRecords(records);
    const pair = (name: string) =>
      scorePair(prepareRecord('x', { lastName: name }), prepareRecord('y', { lastName: name }), parameters, table);
    expect(pair('Zielinski').totalWeight).toBeGreaterThan(pair('Smith').totalWeight);
    expect(pair('Smith').comparisons[1]?.termFrequencyAdjustment).toBeLessThan(0);
  });

  it('classifies at the boundaries', () => {
    expect(classifyWeight(5, { autoMerge: 5, review: 0 })).toBe('auto-merge');
    expect(classifyWeight(0, { autoMerge: 5, review: 0 })).toBe('review');
    expect(classifyWeight(-0.1, { autoMerge: 5, review: 0 })).toBe('new');
  });

  it('is symmetric (property)', () => {
    fc.assert(
      fc.property(traitsArb, traitsArb, (x, y) => {
        const a = prepareRecord('a', x);
        const b = prepareRecord('b', y);
        const table = CountedTermFrequencies.fromRecords([a, b, prepareRecord('c', { firstName: 'Ann', lastName: 'Smith' })]);
        expect(scorePair(a, b, parameters, table).totalWeight).toBeCloseTo(scorePair(b, a, parameters, table).totalWeight, 9);
      }),
      { numRuns: 300 },
    );
  });

  it('scores an exact duplicate above the auto-merge threshold (property)', () => {
    const identifying = fc.record({ firstName: nameArb, lastName: nameArb, birthDate: dateArb });
    fc.assert(
      fc.property(identifying, traitsArb, (core, rest) => {
        const traits = { ...rest, ...core };
        const score = scorePair(prepareRecord('a', traits), prepareRecord('b', traits), parameters);
        expect(score.totalWeight).toBeGreaterThanOrEqual(parameters.thresholds.autoMerge);
        expect(score.decision).toBe('auto-merge');
      }),
      { numRuns: 300 },
    );
  });
});

describe('differentFirstNames', () => {
  const street = { lastName: 'Horsley', street: '25 Rosenthal St', postcode: '3082' };
  const stored = ['Mark', 'Mark', 'Mary', 'Mary', 'Mary', 'Aidan', 'Aidan', 'Aidan', 'Aidsn'].map((firstName, i) =>
    prepareRecord(`s${i}`, { ...street, firstName }),
  );
  const terms = CountedTermFrequencies.fromRecords(stored);
  const score = (x: PersonalTraits, y: PersonalTraits, frequencies: TermFrequencies = terms) =>
    scorePair(prepareRecord('x', { ...street, ...x }), prepareRecord('y', { ...street, ...y }), parameters, frequencies);

  it('reads one edit between two established names as two people (Mark, Mary)', () => {
    const marked = score({ firstName: 'Mark' }, { firstName: 'Mary' });
    expect(marked.comparisons.find((c) => c.comparison === 'firstName')).toMatchObject({ level: 'fuzzy' });
    expect(marked.comparisons.find((c) => c.comparison === 'firstName')?.typo).toBeUndefined();
    expect(differentFirstNames(marked)).toBe(true);
  });

  it('reads one edit from an established name to a spelling seen at most once as a typing error', () => {
    const typed = score({ firstName: 'Aidsn' }, { firstName: 'Aidan' });
    expect(typed.comparisons.find((c) => c.comparison === 'firstName')).toMatchObject({ level: 'fuzzy', typo: true });
    expect(differentFirstNames(typed)).toBe(false);
  });

  it('still reads it as two people when the birth dates differ too, or when the counts are unknown', () => {
    expect(
      differentFirstNames(score({ firstName: 'Aidsn', birthDate: '1916-10-04' }, { firstName: 'Aidan', birthDate: '1951-02-17' })),
    ).toBe(true);
    expect(differentFirstNames(score({ firstName: 'Aidsn' }, { firstName: 'Aidan' }, { frequency: () => undefined }))).toBe(true);
  });
});
