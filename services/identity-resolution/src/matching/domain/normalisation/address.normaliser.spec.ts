import {
  normaliseAddress,
  normaliseLocality,
  normalisePostcode,
  normaliseState,
  normaliseStreet,
  normaliseUnit,
  squashedStreetName,
} from './address.normaliser';

describe('normaliseStreet', () => {
  it.each([
    ['12 Smith Street', { street: '12 smith st', streetNumber: '12', streetName: 'smith st' }],
    ['12 SMITH ST.', { street: '12 smith st', streetNumber: '12', streetName: 'smith st' }],
    ['7 Pacific Highway', { street: '7 pacific hwy', streetNumber: '7', streetName: 'pacific hwy' }],
    ['3a Avenue Road', { street: '3a avenue rd', streetNumber: '3a', streetName: 'avenue rd' }],
    ['12-14 George Street North', { street: '12-14 george st n', streetNumber: '12-14', streetName: 'george st n' }],
    ['Ocean Parade', { street: 'ocean pde', streetName: 'ocean pde' }],
  ])('normalises %j', (input, expected) => {
    expect(normaliseStreet(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['5/12 Smith St', '5'],
    ['Unit 5, 12 Smith St', '5'],
    ['Apt 4B 12 Smith St', '4b'],
    ['12 Smith St Apt 7', '7'],
    ['#3 12 Smith St', '3'],
  ])('extracts the unit from %j', (input, unit) => {
    expect(normaliseStreet(input)).toEqual({
      ok: true,
      value: { street: '12 smith st', streetNumber: '12', streetName: 'smith st', unit },
    });
  });

  it('treats "No." as part of the street number, not a unit', () => {
    expect(normaliseStreet('No. 5 Smith Street')).toMatchObject({ ok: true, value: { street: 'no 5 smith st' } });
  });

  it('rejects an empty line', () => {
    expect(normaliseStreet(' , ')).toMatchObject({ ok: false, reason: 'empty' });
  });
});

describe('normaliseUnit', () => {
  it.each([
    ['Unit 12', '12'],
    ['Apt. 4 B', '4b'],
    ['Flat 2', '2'],
    ['u5', '5'],
    ['#7', '7'],
    ['Suite 300', '300'],
  ])('reduces %j to %j', (input, expected) => {
    expect(normaliseUnit(input)).toEqual({ ok: true, value: expected });
  });

  it('rejects a line with only a designator', () => {
    expect(normaliseUnit('Unit')).toMatchObject({ ok: false, reason: 'empty' });
  });
});

describe('normaliseLocality, normalisePostcode, normaliseState', () => {
  it('folds suburbs and abbreviates saint and mount', () => {
    expect(normaliseLocality('Saint  Kilda')).toEqual({ ok: true, value: 'st kilda' });
    expect(normaliseLocality('MOUNT Waverley')).toEqual({ ok: true, value: 'mt waverley' });
  });

  it.each([
    ['2000', 'AU', '2000'],
    [' 3 000 ', 'AU', '3000'],
    ['90210-1234', 'US', '90210'],
    ['sw1a1aa', 'GB', 'SW1A 1AA'],
    ['k1a 0b1', 'CA', 'K1A 0B1'],
    ['ab-12', 'ZZ', 'AB12'],
  ])('formats postcode %j for %s as %j', (input, country, expected) => {
    expect(normalisePostcode(input, country)).toEqual({ ok: true, value: expected });
  });

  it('rejects a postcode that does not fit the country', () => {
    expect(normalisePostcode('20000', 'AU')).toMatchObject({ ok: false, reason: 'invalid_format' });
  });

  it.each([
    ['New South Wales', 'AU', 'NSW'],
    ['vic', 'AU', 'VIC'],
    ['Victoria', 'AU', 'VIC'],
    ['California', 'US', 'CA'],
    ['ny', 'US', 'NY'],
    ['Bavaria', 'DE', 'BAVARIA'],
  ])('abbreviates state %j (%s) to %j', (input, country, expected) => {
    expect(normaliseState(input, country)).toEqual({ ok: true, value: expected });
  });
});

describe('normaliseAddress', () => {
  it('normalises every part and prefers an explicit second line for the unit', () => {
    expect(
      normaliseAddress({ line1: '5/12 Smith Street', line2: 'Unit 6', city: 'Surry Hills', postcode: '2010', state: 'New South Wales' }),
    ).toEqual({
      ok: true,
      value: {
        street: '12 smith st',
        streetNumber: '12',
        streetName: 'smith st',
        unit: '6',
        locality: 'surry hills',
        postcode: '2010',
        state: 'NSW',
      },
    });
  });

  it('drops a bad part and keeps the rest', () => {
    expect(normaliseAddress({ line1: '1 Main Rd', postcode: 'none' })).toEqual({
      ok: true,
      value: { street: '1 main rd', streetNumber: '1', streetName: 'main rd' },
    });
  });

  it('fails when nothing is usable', () => {
    expect(normaliseAddress({ postcode: '??' })).toMatchObject({ ok: false, reason: 'empty' });
  });
});

describe('squashedStreetName', () => {
  it.each([
    ['fawkner st', 'fawknerst'],
    ['fawknerstreet', 'fawknerst'],
    ['Fawkner Street', 'fawknerst'],
    ['mccabe crescent', 'mccabecres'],
    ['emeraldagriculturalcollege', 'emeraldagriculturalcollege'],
    ['street', 'street'],
  ])('%s -> %s', (input, expected) => {
    expect(squashedStreetName(input.toLowerCase())).toBe(expected);
  });
});
