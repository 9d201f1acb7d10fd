import { birthDateParts, normaliseBirthDate } from './birth-date.normaliser';

describe('normaliseBirthDate', () => {
  it.each([
    ['1984-03-07', '1984-03-07'],
    ['1984/3/7', '1984-03-07'],
    ['1984-03-07T00:00:00Z', '1984-03-07'],
    ['07/03/1984', '1984-03-07'],
    ['7.3.1984', '1984-03-07'],
    ['07-03-84', '1984-03-07'],
    ['25/12/1990', '1990-12-25'],
    ['12/25/1990', '1990-12-25'],
    ['7 March 1984', '1984-03-07'],
    ['7th Mar 1984', '1984-03-07'],
    ['07-Mar-84', '1984-03-07'],
    ['March 7, 1984', '1984-03-07'],
    ['Sept 1 2001', '2001-09-01'],
    ['19840307', '1984-03-07'],
    ['07031984', '1984-03-07'],
    ['01/02/05', '2005-02-01'],
  ])('reads %j as %s (day-first)', (input, expected) => {
    expect(normaliseBirthDate(input)).toEqual({ ok: true, value: expected });
  });

  it('reads ambiguous dates month-first when configured', () => {
    expect(normaliseBirthDate('03/07/1984', { dayFirst: false, twoDigitYearPivot: 30, minYear: 1900 })).toEqual({
      ok: true,
      value: '1984-03-07',
    });
  });

  it.each([
    ['', 'empty'],
    ['yesterday', 'invalid_format'],
    ['31/02/1984', 'invalid_value'],
    ['29/02/1983', 'invalid_value'],
    ['1850-01-01', 'out_of_range'],
    ['7 Marble 1984', 'invalid_format'],
  ])('rejects %j as %s', (input, reason) => {
    expect(normaliseBirthDate(input)).toMatchObject({ ok: false, field: 'birthDate', reason });
  });

  it('accepts 29 February in a leap year only', () => {
    expect(normaliseBirthDate('29/02/2000')).toEqual({ ok: true, value: '2000-02-29' });
    expect(normaliseBirthDate('29/02/1900')).toMatchObject({ ok: false, reason: 'invalid_value' });
  });

  it('refuses dates after notAfter', () => {
    const options = { dayFirst: true, twoDigitYearPivot: 30, minYear: 1900, notAfter: '2020-01-01' };
    expect(normaliseBirthDate('2021-05-05', options)).toMatchObject({ ok: false, reason: 'out_of_range' });
    expect(normaliseBirthDate('2019-05-05', options)).toEqual({ ok: true, value: '2019-05-05' });
  });

  it('splits its own output back into parts', () => {
    expect(birthDateParts('1984-03-07')).toEqual({ year: 1984, month: 3, day: 7 });
    expect(birthDateParts('07/03/1984')).toBeUndefined();
  });
});
