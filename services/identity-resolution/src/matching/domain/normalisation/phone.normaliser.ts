import { CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { NormalisationResult, normalisationFailure, normalised } from './normalisation-result.model';

export interface PhoneNormaliserOptions {
  /** ISO 3166 country used when a number is written without an international prefix. */
  readonly defaultCountry: string;
  /**
   * 'valid' checks the number against the full numbering plan (the "max" metadata); 'possible'
   * only checks its length. Valid is the default because a phone that cannot exist is usually a
   * placeholder ("0000 000 000") and must not link two customers.
   */
  readonly strictness: 'valid' | 'possible';
}

export const defaultPhoneNormaliserOptions: PhoneNormaliserOptions = { defaultCountry: 'AU', strictness: 'valid' };

// libphonenumber-js refuses longer input anyway; checking first keeps the cost bounded.
const MAX_INPUT_LENGTH = 64;

export function isSupportedPhoneCountry(country: string): boolean {
  return isSupportedCountry(country);
}

/** Returns the number in E.164 (+61412345678); extensions are dropped, they do not identify a person. */
export function normalisePhone(raw: string, options: PhoneNormaliserOptions = defaultPhoneNormaliserOptions): NormalisationResult<string> {
  const text = raw.trim();
  if (text === '') return normalisationFailure('phone', 'empty', 'no phone number');
  if (text.length > MAX_INPUT_LENGTH) return normalisationFailure('phone', 'invalid_format', 'longer than 64 characters');
  if (!isSupportedCountry(options.defaultCountry)) {
    return normalisationFailure('phone', 'unsupported', `unknown default country ${options.defaultCountry}`);
  }
  const country = options.defaultCountry as CountryCode;
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(text, { defaultCountry: country, extract: false });
  } catch (error: unknown) {
    // The library documents no throw for this call; the guard keeps the "never throws" promise
    // true across upgrades.
    return normalisationFailure('phone', 'invalid_format', error instanceof Error ? error.message : 'unparseable');
  }
  if (parsed === undefined) return normalisationFailure('phone', 'invalid_format', 'not a phone number');
  const acceptable = options.strictness === 'valid' ? parsed.isValid() : parsed.isPossible();
  if (!acceptable) return normalisationFailure('phone', 'invalid_value', `not a ${options.strictness} number`);
  return normalised(parsed.number);
}

/**
 * Whether an E.164 number is a mobile by the numbering plan. A mobile is usually one person's,
 * a fixed line a household's: only the first tells the members of a household apart.
 */
export function isMobileNumber(e164: string): boolean {
  try {
    return parsePhoneNumberFromString(e164)?.getType() === 'MOBILE';
  } catch {
    return false;
  }
}
