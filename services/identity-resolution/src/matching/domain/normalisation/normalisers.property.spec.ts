import fc from 'fast-check';
import { normaliseEmail } from './email.normaliser';
import { normalisePhone } from './phone.normaliser';
import { normaliseGivenName, normaliseName } from './name.normaliser';
import { normaliseLocality, normalisePostcode, normaliseState, normaliseStreet, normaliseUnit } from './address.normaliser';
import { normaliseBirthDate } from './birth-date.normaliser';
import { NormalisationResult } from './normalisation-result.model';

// Arbitrary strings mixed with strings built from the alphabet these fields really use, so that
// the properties are exercised on successes as well as on failures.
const fieldLike = (alphabet: string, maxLength = 30): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength }));

const emailLike = fc.oneof(
  fieldLike('aAbB.+_-@ eé1', 25),
  fc.emailAddress(),
  fc.tuple(fc.emailAddress(), fc.constantFrom(' ', '\t', '')).map(([address, pad]) => `${pad}${address.toUpperCase()}${pad}`),
);
const phoneLike = fieldLike('0123456789 +()-.x', 20);
const nameLike = fieldLike("abcABCéÉßøŁİ'’- .,1Dr", 25);
const streetLike = fieldLike('0123456789 /-#,.abcStreetUnitAptRoadNorth', 30);
const dateLike = fc.oneof(
  fieldLike('0123456789/-. ', 12),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc
    .tuple(fc.integer({ min: 1, max: 31 }), fc.constantFrom('jan', 'March', 'Sept', 'dec'), fc.integer({ min: 1900, max: 2030 }))
    .map(([day, month, year]) => `${day} ${month} ${year}`),
);

function expectIdempotent<T>(normalise: (value: T) => NormalisationResult<T>, input: T): void {
  const first = normalise(input);
  if (!first.ok) return;
  expect(normalise(first.value)).toEqual(first);
}

const cases: ReadonlyArray<readonly [string, fc.Arbitrary<string>, (value: string) => NormalisationResult<string>]> = [
  ['email', emailLike, (value) => normaliseEmail(value)],
  [
    'email (gmail canonical, plus tags stripped)',
    emailLike,
    (value) => normaliseEmail(value, { stripPlusTags: true, canonicaliseGmail: true }),
  ],
  ['phone', phoneLike, (value) => normalisePhone(value)],
  ['name', nameLike, (value) => normaliseName(value)],
  [
    'street',
    streetLike,
    (value) => {
      const result = normaliseStreet(value);
      return result.ok ? { ok: true, value: result.value.street } : result;
    },
  ],
  ['unit', streetLike, (value) => normaliseUnit(value)],
  ['locality', nameLike, (value) => normaliseLocality(value)],
  ['postcode AU', fieldLike('0123456789 -', 8), (value) => normalisePostcode(value, 'AU')],
  ['postcode GB', fieldLike('0123456789 ABCSWabc', 9), (value) => normalisePostcode(value, 'GB')],
  ['state', nameLike, (value) => normaliseState(value, 'AU')],
  ['birth date', dateLike, (value) => normaliseBirthDate(value)],
];

describe.each(cases)('%s normaliser properties', (_name, arbitrary, normalise) => {
  it('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(arbitrary, fc.string({ unit: 'binary' })), (input) => {
        normalise(input);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(arbitrary, (input) => expectIdempotent(normalise, input)),
      { numRuns: 300 },
    );
  });
});

describe('given-name canonicalisation', () => {
  it('is idempotent on the canonical form', () => {
    fc.assert(
      fc.property(nameLike, (input) => {
        const first = normaliseGivenName(input);
        if (!first.ok) return;
        const second = normaliseGivenName(first.value.canonical);
        expect(second.ok && second.value.canonical).toBe(first.value.canonical);
      }),
    );
  });
});
