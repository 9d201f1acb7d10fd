import { normaliseEmail } from './email.normaliser';
import { splitFreeTextAddress } from './free-text-address.parser';
import { emailDisplayName, splitFullName } from './full-name.parser';

describe('splitFullName', () => {
  it.each([
    ['Alexander Pavlovich Vasiliev', { firstName: 'Alexander', middleName: 'Pavlovich', lastName: 'Vasiliev' }],
    ['Vasiliev, Alexander', { firstName: 'Alexander', lastName: 'Vasiliev' }],
    ['Dr. Maria de la Cruz', { firstName: 'Maria', lastName: 'de la Cruz' }],
    ['Ludwig van Beethoven Jr.', { firstName: 'Ludwig', lastName: 'van Beethoven' }],
    ['  Mary   Kusha ', { firstName: 'Mary', lastName: 'Kusha' }],
  ])('splits %s', (raw, parts) => {
    expect(splitFullName(raw)).toEqual(parts);
  });

  it('takes a single word as the family name and refuses what cannot be a name', () => {
    expect(splitFullName('Kusha')).toEqual({ lastName: 'Kusha' });
    expect(splitFullName('   ')).toEqual({});
    expect(splitFullName('x'.repeat(201))).toEqual({});
  });
});

describe('e-mail display names', () => {
  it('reads the name and the address of "Name <address>"', () => {
    expect(emailDisplayName('Maria Sentosa<msentosa@fmail.com>')).toBe('Maria Sentosa');
    expect(emailDisplayName('"Maria Sentosa" <msentosa@fmail.com>')).toBe('Maria Sentosa');
    expect(emailDisplayName('msentosa@fmail.com')).toBeUndefined();
    expect(normaliseEmail('Maria Sentosa<MSentosa@fmail.com>')).toEqual({ ok: true, value: 'msentosa@fmail.com' });
    expect(normaliseEmail('<msentosa@fmail.com>')).toEqual({ ok: true, value: 'msentosa@fmail.com' });
  });
});

describe('splitFreeTextAddress', () => {
  it('splits a US address with its unit, state and ZIP code', () => {
    expect(splitFreeTextAddress('123 Main Street Apt 4, Las Vegas NV 89111')).toEqual({
      street: '123 Main St',
      line2: 'Apt 4',
      city: 'Las Vegas',
      state: 'NV',
      postcode: '89111',
    });
  });

  it('splits other addresses at their commas', () => {
    expect(splitFreeTextAddress('12 Ranken Place, Piggabeen, NSW 0870')).toEqual({
      street: '12 Ranken Place',
      city: 'Piggabeen',
      state: 'NSW',
      postcode: '0870',
    });
    expect(splitFreeTextAddress('12 Ranken Place, Rosebery Hill, Piggabeen, 0870')).toEqual({
      street: '12 Ranken Place',
      line2: 'Rosebery Hill',
      city: 'Piggabeen',
      postcode: '0870',
    });
    expect(splitFreeTextAddress('12 Smith St, Fitzroy')).toEqual({ street: '12 Smith St', city: 'Fitzroy' });
    expect(splitFreeTextAddress('')).toEqual({});
  });
});
