import { isMobileNumber, normalisePhone } from './phone.normaliser';

describe('normalisePhone', () => {
  it.each([
    ['0412 345 678', '+61412345678'],
    ['0412-345-678', '+61412345678'],
    ['+61 412 345 678', '+61412345678'],
    ['(02) 9876 5432', '+61298765432'],
    ['+61 (0)2 9876 5432', '+61298765432'],
    ['02 9876 5432 ext. 12', '+61298765432'],
  ])('writes %j as %s with the default country AU', (input, expected) => {
    expect(normalisePhone(input)).toEqual({ ok: true, value: expected });
  });

  it('uses the configured default country for national numbers', () => {
    expect(normalisePhone('(650) 253-0000', { defaultCountry: 'US', strictness: 'valid' })).toEqual({
      ok: true,
      value: '+16502530000',
    });
  });

  it('keeps an explicit international prefix whatever the default country', () => {
    expect(normalisePhone('+44 20 7946 0958')).toEqual({ ok: true, value: '+442079460958' });
  });

  it.each([
    ['', 'empty'],
    ['call me', 'invalid_format'],
    ['0412 345 6789 0', 'invalid_value'],
    ['0000 000 000', 'invalid_value'],
  ])('rejects %j as %s', (input, reason) => {
    expect(normalisePhone(input)).toMatchObject({ ok: false, field: 'phone', reason });
  });

  it('reports an unknown default country as unsupported', () => {
    expect(normalisePhone('0412 345 678', { defaultCountry: 'XX', strictness: 'valid' })).toMatchObject({
      ok: false,
      reason: 'unsupported',
    });
  });

  it('accepts merely possible numbers when strictness is possible', () => {
    expect(normalisePhone('0412 345 678', { defaultCountry: 'AU', strictness: 'possible' })).toEqual({
      ok: true,
      value: '+61412345678',
    });
  });

  it('tells a mobile (personal) from a fixed line (a household) by the numbering plan', () => {
    expect(isMobileNumber('+61412555123')).toBe(true);
    expect(isMobileNumber('+61393471234')).toBe(false);
    expect(isMobileNumber('not a number')).toBe(false);
  });
});
