import { canonicalGivenName, nicknameTableEntries } from './nickname.table';
import { normaliseGivenName, normaliseName } from './name.normaliser';

describe('normaliseName', () => {
  it.each([
    ['  JOHN   smith ', 'john smith'],
    ['José Ñúñez', 'jose nunez'],
    ["O'Brien", 'obrien'],
    ['D’Angelo', 'dangelo'],
    ['Anne-Marie', 'anne marie'],
    ['Łukasz Wójcik', 'lukasz wojcik'],
    ['Straße', 'strasse'],
    ['Dr. Jane Smith Jr.', 'jane smith'],
    ['Mr', 'mr'],
    ['Søren Ærø', 'soren aero'],
    ['Smith3', 'smith'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseName(input)).toEqual({ ok: true, value: expected });
  });

  it('keeps honorifics and suffixes when configured to', () => {
    expect(normaliseName('Dr Jane Smith Jr', { stripHonorifics: false, stripSuffixes: false })).toEqual({
      ok: true,
      value: 'dr jane smith jr',
    });
  });

  it('romanises letters of non-Latin scripts', () => {
    expect(normaliseName('Иван Петров')).toEqual({ ok: true, value: 'ivan petrov' });
  });

  it.each(['', '  ', '1234', "-'-"])('rejects %j as empty', (input) => {
    expect(normaliseName(input)).toMatchObject({ ok: false, field: 'name', reason: 'empty' });
  });
});

describe('given names and nicknames', () => {
  it('maps a diminutive to its formal name', () => {
    expect(normaliseGivenName('Bill')).toEqual({ ok: true, value: { name: 'bill', canonical: 'william' } });
    expect(normaliseGivenName('Liz Anne')).toEqual({ ok: true, value: { name: 'liz anne', canonical: 'elizabeth anne' } });
  });

  it('leaves formal and unknown names alone', () => {
    expect(canonicalGivenName('william')).toBe('william');
    expect(canonicalGivenName('zephyr')).toBe('zephyr');
  });

  it('has a closed table: no canonical form is itself a diminutive', () => {
    const diminutives = new Set(nicknameTableEntries().map(([diminutive]) => diminutive));
    for (const [, formal] of nicknameTableEntries()) expect(diminutives.has(formal)).toBe(false);
  });
});
