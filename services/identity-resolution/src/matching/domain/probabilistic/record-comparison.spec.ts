import { PersonalTraits, prepareRecord } from './person-record.model';
import { compareRecords, COMPARISONS, levelGroup, namesLookSwapped } from './record-comparison';

const record = (id: string, traits: PersonalTraits) => prepareRecord(id, traits);
const levels = (a: PersonalTraits, b: PersonalTraits): Record<string, string | null> =>
  Object.fromEntries(compareRecords(record('a', a), record('b', b)).outcomes.map((outcome) => [outcome.comparison, outcome.level]));

describe('compareRecords', () => {
  it('reports missing data as a null level', () => {
    expect(levels({ firstName: 'Ann' }, { lastName: 'Lee' })).toEqual({
      firstName: null,
      lastName: null,
      birthDate: null,
      contact: null,
      nationalId: null,
    });
  });

  it.each<[string, string, string]>([
    ['Jonathan', 'jonathan', 'exact'],
    ['Bill', 'William', 'nickname'],
    ['Alex', 'Alexander', 'nickname'],
    ['Katherine', 'Katherlne', 'similar'],
    ['Mary Jane', 'Mary', 'similar'],
    ['J', 'Jonathan', 'initial'],
    ['Jonathan', 'Zoe', 'else'],
  ])('first names %s / %s -> %s', (a, b, expected) => {
    expect(levels({ firstName: a }, { firstName: b }).firstName).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['Smith', 'smith', 'exact'],
    ['Thompson', 'Thomson', 'similar'],
    ['Smith', 'Jones', 'else'],
  ])('last names %s / %s -> %s', (a, b, expected) => {
    expect(levels({ lastName: a }, { lastName: b }).lastName).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['1984-03-07', '7 March 1984', 'exact'],
    ['1984-03-07', '1984-07-03', 'transposed'],
    ['1984-03-12', '1984-03-21', 'transposed'],
    ['1984-03-07', '1984-03-08', 'typo'],
    ['1984-03-07', '1984-11-20', 'same-year'],
    ['1984-03-07', '1950-01-01', 'else'],
  ])('birth dates %s / %s -> %s', (a, b, expected) => {
    expect(levels({ birthDate: a }, { birthDate: b }).birthDate).toBe(expected);
  });

  it('conditions contact on whether the surnames agree', () => {
    const home = { street: '12 Smith St', postcode: '2000', phone: '0412 555 123' };
    expect(levels({ lastName: 'Lee', ...home }, { lastName: 'Lee', ...home }).contact).toBe('same-surname:address-and-phone');
    expect(levels({ lastName: 'Lee', ...home }, { lastName: 'Zhou', ...home }).contact).toBe('other-surname:address-and-phone');
    expect(levels({ ...home }, { ...home }).contact).toBe('other-surname:address-and-phone');
  });

  it.each<[PersonalTraits, PersonalTraits, string]>([
    [{ street: '12 Smith Street', postcode: '2000' }, { street: '12 smith st', postcode: '2000', phone: '0412 555 123' }, 'address'],
    [
      { street: '12 Smith St', postcode: '2000', phone: '0412 555 999' },
      { street: '12 Smith St', postcode: '2000', phone: '0412 555 123' },
      'address-phone-differs',
    ],
    [{ postcode: '2000', phone: '0412 555 123' }, { postcode: '3000', phone: '0412 555 123' }, 'phone'],
    [{ postcode: '2000' }, { street: '12 Smith St', postcode: '2000' }, 'area-street-unknown'],
    [{ street: '14 Smith St', postcode: '2000' }, { street: '12 Smith St', postcode: '2000' }, 'street-name'],
    [{ street: '14 Smith St', postcode: '2000' }, { street: '9 Banksia Court', postcode: '2000' }, 'area-street-differs'],
    [{ street: '5/12 Smith St', postcode: '2000' }, { street: '6/12 Smith St', postcode: '2000' }, 'area-street-differs'],
    [{ state: 'NSW' }, { postcode: '2000', state: 'New South Wales' }, 'state-area-unknown'],
    [{ postcode: '2001', state: 'NSW' }, { postcode: '2000', state: 'NSW' }, 'state'],
    [{ street: '12 Smith St', city: 'Chatsowod' }, { street: '12 Smith Street', city: 'Chatswood' }, 'address'],
    [{ postcode: '2000' }, { postcode: '3000' }, 'else'],
  ])('contact %j / %j -> %s', (a, b, expected) => {
    expect(levels(a, b).contact).toBe(`other-surname:${expected}`);
  });

  it('compares names the other way round when they were entered swapped', () => {
    const a = record('a', { firstName: 'Taylor', lastName: 'Timothy' });
    const b = record('b', { firstName: 'Timothy', lastName: 'Taylor' });
    expect(namesLookSwapped(a, b)).toBe(true);
    const comparison = compareRecords(a, b);
    expect(comparison.orientation).toBe('swapped');
    expect(comparison.outcomes.slice(0, 2).map((outcome) => outcome.level)).toEqual(['exact', 'exact']);
    // A surname standing in the first-name field is looked up in both frequency tables.
    expect(comparison.outcomes[0]?.termTables).toEqual(['firstName', 'lastName']);
  });

  it('keeps every level group a proper distribution (each group ends with a catch-all)', () => {
    for (const levelsOfComparison of Object.values(COMPARISONS)) {
      const groups = new Set<string>(levelsOfComparison.map(levelGroup));
      for (const group of groups) {
        const inGroup = levelsOfComparison.filter((level) => levelGroup(level) === group);
        expect(inGroup[inGroup.length - 1]?.endsWith('else')).toBe(true);
      }
    }
  });
  it('compares second address lines: named places with typo tolerance, unit numbers exactly', () => {
    const at = (line2: string | undefined) => ({ lastName: 'Lee', street: '12 Wattle St', line2, city: 'Carlton', postcode: '3053' });
    expect(levels(at('Rosebery Hill'), at('Rosebry Hill')).contact).toBe('same-surname:address-unit');
    expect(levels(at('Unit 4'), at('Unit 5')).contact).toBe('same-surname:area-street-differs');
    expect(levels(at('Unit 4'), at(undefined)).contact).toBe('same-surname:address');
    expect(levels({ ...at(undefined), street: '517 sdwyt avenue' }, { ...at(undefined), street: '517 sidaway street' }).contact).toBe(
      'same-surname:address-similar',
    );
  });

  it('tells the same street under another number, or the same named place, from another street in the suburb', () => {
    const home = { lastName: 'Herbert', city: 'Burrum Heads', postcode: '3078', state: 'SA' };
    expect(levels({ ...home, street: '162 Callister Crescent' }, { ...home, street: '01 callistercrescent' }).contact).toBe(
      'same-surname:street-name',
    );
    expect(
      levels(
        { ...home, street: '1 Nungara St', line2: 'Bendigo Retirement Village' },
        { ...home, street: '1', line2: 'Bendigo Retirement Vilage' },
      ).contact,
    ).toBe('same-surname:street-name');
    expect(levels({ ...home, street: '162 Callister Crescent' }, { ...home, street: '162 Banksia Court' }).contact).toBe(
      'same-surname:area-street-differs',
    );
    // Two flats of one building are neighbours, not a mistyped number.
    expect(levels({ ...home, street: '12 Wattle St', line2: 'Unit 4' }, { ...home, street: '12 Wattle St', line2: 'Unit 5' }).contact).toBe(
      'same-surname:area-street-differs',
    );
  });

  it('weighs the same street address under a postcode one keystroke away as a near address, not another area', () => {
    const home = { lastName: 'Nguyen', street: '11 Hoddinott St', line2: 'Bridgefoot Down', state: 'NSW' };
    expect(levels({ ...home, postcode: '2022' }, { ...home, postcode: '2002', city: 'Bullsbrook' }).contact).toBe(
      'same-surname:address-similar',
    );
    // Another house number, another state, two digits apart or a contradicting second line: another area.
    expect(levels({ ...home, postcode: '2022' }, { ...home, street: '12 Hoddinott St', postcode: '2002' }).contact).toBe(
      'same-surname:state',
    );
    expect(levels({ ...home, postcode: '2022' }, { ...home, postcode: '2002', state: 'VIC' }).contact).toBe('same-surname:else');
    expect(levels({ ...home, postcode: '2022' }, { ...home, postcode: '2000' }).contact).toBe('same-surname:state');
    expect(levels({ ...home, postcode: '2022', line2: 'Unit 4' }, { ...home, postcode: '2002', line2: 'Unit 5' }).contact).toBe(
      'same-surname:state',
    );
  });

  it('recognises the first and second address lines given the other way round', () => {
    const home = { lastName: 'Rundle', city: 'Pottsville', postcode: '6154', state: 'NSW' };
    const straight = { ...home, street: '8 Fawkner Street', line2: 'Emerald Agricultural College' };
    expect(levels(straight, { ...home, street: '8 Emerald Agricultral College', line2: 'fawknerstreet' }).contact).toBe(
      'same-surname:address-unit',
    );
    // Another number, or a second line that is not the other's street, is another address.
    expect(levels(straight, { ...home, street: '9 Emerald Agricultural College', line2: 'Fawkner Street' }).contact).toBe(
      'same-surname:area-street-differs',
    );
    expect(levels(straight, { ...home, street: '8 Emerald Agricultural College', line2: 'Banksia Court' }).contact).toBe(
      'same-surname:area-street-differs',
    );
  });
});
