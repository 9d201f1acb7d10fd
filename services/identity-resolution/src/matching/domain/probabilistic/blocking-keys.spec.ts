import { blockingKeys, InMemoryBlockingIndex } from './blocking-keys';
import { prepareRecord } from './person-record.model';

describe('blockingKeys', () => {
  const full = prepareRecord('r1', {
    firstName: 'Catherine',
    lastName: 'Smith',
    street: '12 Smith St',
    city: 'Surry Hills',
    postcode: '2010',
    birthDate: '1984-03-07',
    phone: '0412 555 123',
    nationalId: '123456782',
  });

  it('produces several independent keys, each naming its recipe', () => {
    const keys = blockingKeys(full);
    const recipes = new Set(keys.map((key) => key.slice(0, key.indexOf(':'))));
    expect([...recipes].sort()).toEqual(
      [
        'dob',
        'dob-fi',
        'dob-li',
        'fn-street',
        'fn-year',
        'ln-street',
        'ln-year',
        'name-pc',
        'names',
        'nid',
        'num-loc',
        'num-pc',
        'phone',
        'postcode-fi',
        'sq-street-pc',
        'street-loc',
        'street-pc',
        'word-pc',
        'ln-loc',
      ].sort(),
    );
    expect(keys).toContain('phone:+61412555123');
    expect(keys).toContain('ln-year:SM0:1984');
  });

  it('shares a key between variants that differ in one noisy field', () => {
    const typo = prepareRecord('r2', { firstName: 'Kathryn', lastName: 'Smyth', birthDate: '07/03/1984' });
    const swapped = prepareRecord('r3', { firstName: 'Smith', lastName: 'Catherine' });
    const shared = (a: string[], b: string[]) => a.filter((key) => b.includes(key));
    expect(shared(blockingKeys(full), blockingKeys(typo)).length).toBeGreaterThan(0);
    expect(shared(blockingKeys(full), blockingKeys(swapped))).toContain(blockingKeys(swapped).find((key) => key.startsWith('names:')));
  });

  it('keeps a name and the street in common when postcode, suburb and birth date are all garbled', () => {
    // FEBRL 4, rec-3472: surname mistyped, another birth date, postcode digits swapped, suburb mistyped.
    const original = prepareRecord('o', {
      firstName: 'Timothy',
      lastName: 'Moujalli',
      birthDate: '1991-07-19',
      street: '14 Cobby St',
      city: 'Christies Beach',
      postcode: '2617',
    });
    const duplicate = prepareRecord('d', {
      firstName: 'Timothy',
      lastName: 'Mouajlli',
      birthDate: '1977-01-17',
      street: '14 Cobby Sreet',
      city: 'Christkes Beach',
      postcode: '2167',
    });
    const shared = blockingKeys(original).filter((key) => blockingKeys(duplicate).includes(key));
    expect(shared).toEqual(['fn-street:timothy:cobby']);
  });

  it('keeps a key in common when both names are replaced and the street type mistyped, or postcode, street and birth date all garbled', () => {
    const shared = (x: Parameters<typeof prepareRecord>[1], y: Parameters<typeof prepareRecord>[1]) =>
      blockingKeys(prepareRecord('x', x)).filter((key) => blockingKeys(prepareRecord('y', y)).includes(key));
    // FEBRL 3, rec-312: other first name and surname, "studley steet" against "studley st".
    expect(
      shared(
        { firstName: 'Jacobie', lastName: 'Tilleq', street: 'Studley Steet', line2: 'Roseavle', city: 'Riverwood', postcode: '4869' },
        { firstName: 'Blake', lastName: 'Moody', street: 'Studley St', line2: 'Rosevale', city: 'Riverwood', postcode: '4869' },
      ),
    ).toEqual(['word-pc:studley:4869']);
    // FEBRL 3, rec-1899: another first name, postcode digits swapped, street mistyped, no birth date on one.
    expect(
      shared(
        { firstName: 'Thomas', lastName: 'Mason', street: '70 Willoughbt Cres', city: 'Avalon', postcode: '6117' },
        { firstName: 'Matthew', lastName: 'Mason', street: 'Willoughby Cres', city: 'Avalon', postcode: '6171' },
      ),
    ).toEqual(['ln-loc:mason:avalon']);
  });

  it('keeps a key in common when names are swapped and garbled, the street is run together or only a named place agrees', () => {
    // FEBRL 4, rec-4903: names swapped and one mistyped, no birth date, the street garbled.
    const shared = (x: Parameters<typeof prepareRecord>[1], y: Parameters<typeof prepareRecord>[1]) =>
      blockingKeys(prepareRecord('x', x)).filter((key) => blockingKeys(prepareRecord('y', y)).includes(key));
    expect(
      shared(
        { firstName: 'Hannah', lastName: 'Mihal', street: 'Aspinall St', postcode: '6060' },
        { firstName: 'Mihal', lastName: 'Hannsh', street: 'Mihal Court', postcode: '6060' },
      ),
    ).toEqual(['name-pc:mihal:6060']);
    expect(
      shared(
        { firstName: 'Jasper', lastName: 'Isola', street: 'Mackie Cres', postcode: '6025' },
        { firstName: 'Sophid', lastName: 'Isol', street: 'mackiecrescent', postcode: '6025' },
      ),
    ).toEqual(['sq-street-pc:mackiecres:6025']);
    expect(
      shared(
        { firstName: 'Oliver', lastName: 'Webb', street: '10 Melrose Dr', line2: 'Grandview', postcode: '3078', state: 'VIC' },
        { firstName: 'Hamish', lastName: 'Web', street: '10 melrose rdive', line2: 'grandview', postcode: '3074', state: 'VIC' },
      ),
    ).toEqual(['place-state:grandview:VIC']);
  });

  it('gives no key for a record without usable traits', () => {
    expect(blockingKeys(prepareRecord('r4', { city: 'Nowhere' }))).toEqual([]);
  });
});

describe('InMemoryBlockingIndex', () => {
  it('lists each candidate pair once and skips oversized blocks', () => {
    const index = new InMemoryBlockingIndex(2);
    const phone = '0412 555 123';
    index.add(prepareRecord('a', { phone, firstName: 'Ann', lastName: 'Lee', birthDate: '1990-01-01' }));
    index.add(prepareRecord('b', { phone, firstName: 'Ann', lastName: 'Lee', birthDate: '1990-01-01' }));
    expect(index.pairs()).toEqual([['a', 'b']]);
    index.add(prepareRecord('c', { phone }));
    // The phone block now has three postings, over the cap of two; a and b still share name keys.
    expect(index.pairs()).toEqual([['a', 'b']]);
    expect(index.candidatesFor(prepareRecord('c', { phone }))).toEqual([]);
    expect(index.pairs('names')).toEqual([['a', 'b']]);
  });
});
