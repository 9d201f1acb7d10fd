import { prepareRecord } from './person-record.model';

describe('prepareRecord', () => {
  it('normalises every trait and derives canonical and phonetic names', () => {
    const record = prepareRecord('r1', {
      firstName: ' Bill ',
      lastName: "O'Brien",
      street: 'Unit 5, 12 Smith Street',
      city: 'Saint Kilda',
      postcode: '3182',
      state: 'Victoria',
      birthDate: '7/3/1984',
      phone: '0412 555 123',
      nationalId: '123 456 782',
    });
    expect(record).toEqual({
      recordId: 'r1',
      firstName: 'bill',
      firstNameCanonical: 'william',
      firstNamePhonetic: expect.any(Array),
      lastName: 'obrien',
      lastNamePhonetic: expect.any(Array),
      street: '12 smith st',
      streetNumber: '12',
      unit: '5',
      locality: 'st kilda',
      postcode: '3182',
      state: 'VIC',
      birthDate: '1984-03-07',
      phone: '+61412555123',
      nationalId: '123456782',
    });
  });

  it('treats values that fail normalisation as missing', () => {
    expect(prepareRecord('r2', { firstName: '???', birthDate: '31/02/1990', phone: 'none', postcode: 'x' })).toEqual({ recordId: 'r2' });
  });
});
