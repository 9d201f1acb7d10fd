import { personalTraitsOf } from './personal-traits.extractor';

describe('personalTraitsOf', () => {
  it('splits the name trait when first and last names are not given', () => {
    expect(personalTraitsOf({ type: 'identify', traits: { name: 'Alexander Pavlovich Vasiliev', birthday: '1970-01-02' } })).toMatchObject({
      firstName: 'Alexander',
      lastName: 'Vasiliev',
    });
    expect(
      personalTraitsOf({ type: 'identify', traits: { name: 'Alexander Vasiliev', firstName: 'Sasha', birthday: '1970-01-02' } }),
    ).toMatchObject({ firstName: 'Sasha', lastName: 'Vasiliev' });
  });

  it("reads the name from an e-mail's display name", () => {
    expect(
      personalTraitsOf({ type: 'identify', traits: { email: 'Maria Sentosa<msentosa@fmail.com>', birthday: '1980-05-06' } }),
    ).toMatchObject({ firstName: 'Maria', lastName: 'Sentosa' });
  });

  it('splits an address given as one line, and takes its country from the address', () => {
    expect(
      personalTraitsOf({ type: 'identify', traits: { lastName: 'Kusha', address: '12 Ranken Place, Piggabeen, NSW 0870' } }),
    ).toMatchObject({ street: '12 Ranken Place', city: 'Piggabeen', state: 'NSW', postcode: '0870' });
    expect(
      personalTraitsOf({
        type: 'identify',
        traits: { lastName: 'Kusha', birthday: '1980-01-01', address: { street: '1 Main St', country: 'us' } },
      })?.country,
    ).toBe('US');
  });

  it('compares a record with a birth date and an address but no name; refuses one that only says where', () => {
    expect(
      personalTraitsOf({ type: 'identify', traits: { birthday: '1910-08-17', address: { street: '14 Teakle Place', city: 'Yarram' } } }),
    ).toMatchObject({ birthDate: '1910-08-17', street: '14 Teakle Place' });
    expect(
      personalTraitsOf({ type: 'identify', traits: { phone: '0412 555 123', address: { street: '14 Teakle Place' } } }),
    ).toBeUndefined();
    expect(personalTraitsOf({ type: 'identify', traits: { lastName: 'Kusha' } })).toBeUndefined();
  });
});
