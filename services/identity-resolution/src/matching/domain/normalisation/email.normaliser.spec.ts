import { normaliseEmail } from './email.normaliser';

describe('normaliseEmail', () => {
  it('trims and lower-cases the whole address', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM \t')).toEqual({ ok: true, value: 'jane.doe@example.com' });
  });

  it('accepts mailto: and angle-bracket forms', () => {
    expect(normaliseEmail('mailto:Jane@example.com')).toEqual({ ok: true, value: 'jane@example.com' });
    expect(normaliseEmail('<jane@example.com>')).toEqual({ ok: true, value: 'jane@example.com' });
  });

  it('keeps plus tags and gmail dots by default', () => {
    expect(normaliseEmail('j.doe+shop@gmail.com')).toEqual({ ok: true, value: 'j.doe+shop@gmail.com' });
  });

  it('strips plus tags when configured', () => {
    const options = { stripPlusTags: true, canonicaliseGmail: false };
    expect(normaliseEmail('jane+news@example.com', options)).toEqual({ ok: true, value: 'jane@example.com' });
    expect(normaliseEmail('+news@example.com', options)).toMatchObject({ ok: false, reason: 'invalid_format' });
  });

  it('canonicalises gmail dots and googlemail only for gmail when configured', () => {
    const options = { stripPlusTags: true, canonicaliseGmail: true };
    expect(normaliseEmail('J.Doe+x@googlemail.com', options)).toEqual({ ok: true, value: 'jdoe@gmail.com' });
    expect(normaliseEmail('j.doe@example.com', options)).toEqual({ ok: true, value: 'j.doe@example.com' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['jane', 'invalid_format'],
    ['jane@', 'invalid_format'],
    ['@example.com', 'invalid_format'],
    ['jane doe@example.com', 'invalid_format'],
    ['jane@localhost', 'invalid_format'],
    ['jane..doe@example.com', 'invalid_format'],
    ['jane@exa mple.com', 'invalid_format'],
  ])('rejects %j as %s', (input, reason) => {
    expect(normaliseEmail(input)).toMatchObject({ ok: false, field: 'email', reason });
  });

  it('accepts internationalised domains', () => {
    expect(normaliseEmail('Zoë@Bücher.de')).toEqual({ ok: true, value: 'zoë@bücher.de' });
  });
});
