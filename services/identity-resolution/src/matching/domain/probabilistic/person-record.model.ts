import { normaliseAddress } from '../normalisation/address.normaliser';
import { defaultBirthDateNormaliserOptions, normaliseBirthDate, BirthDateNormaliserOptions } from '../normalisation/birth-date.normaliser';
import { normaliseGivenName, normaliseName } from '../normalisation/name.normaliser';
import { isSupportedPhoneCountry, normalisePhone } from '../normalisation/phone.normaliser';
import { doubleMetaphone } from './string-similarity';

/** Personal traits as a channel sends them, before any normalisation. */
export interface PersonalTraits {
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly street?: string | undefined;
  readonly line2?: string | undefined;
  /** City or suburb. */
  readonly city?: string | undefined;
  readonly postcode?: string | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly phone?: string | undefined;
  readonly nationalId?: string | undefined;
}

/**
 * A record normalised once, with the derived values the comparisons and blocking need. Plain
 * JSON-safe data, so the service can store it beside the record and never re-derive it.
 */
export interface PreparedRecord {
  readonly recordId: string;
  readonly firstName?: string;
  /** First name through the nickname table (bill -> william). */
  readonly firstNameCanonical?: string;
  readonly firstNamePhonetic?: readonly [string, string];
  readonly lastName?: string;
  readonly lastNamePhonetic?: readonly [string, string];
  readonly street?: string;
  readonly streetNumber?: string;
  readonly unit?: string;
  readonly locality?: string;
  readonly postcode?: string;
  readonly state?: string;
  /** ISO yyyy-mm-dd. */
  readonly birthDate?: string;
  /** E.164. */
  readonly phone?: string;
  readonly nationalId?: string;
}

export interface PrepareOptions {
  readonly defaultCountry: string;
  readonly birthDate: BirthDateNormaliserOptions;
}

export const defaultPrepareOptions: PrepareOptions = {
  defaultCountry: 'AU',
  birthDate: defaultBirthDateNormaliserOptions,
};

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Normalises every trait; a trait that fails normalisation is treated as missing. */
export function prepareRecord(recordId: string, traits: PersonalTraits, options: PrepareOptions = defaultPrepareOptions): PreparedRecord {
  const country = present(traits.country) ? traits.country.trim().toUpperCase() : options.defaultCountry;
  const given = present(traits.firstName) ? normaliseGivenName(traits.firstName) : undefined;
  const family = present(traits.lastName) ? normaliseName(traits.lastName) : undefined;
  const address = normaliseAddress(
    { line1: traits.street, line2: traits.line2, city: traits.city, postcode: traits.postcode, state: traits.state, country },
    options.defaultCountry,
  );
  const birthDate = present(traits.birthDate) ? normaliseBirthDate(traits.birthDate, options.birthDate) : undefined;
  // A country the numbering plan does not know ("United States" written out) leaves the default.
  const phoneCountry = isSupportedPhoneCountry(country) ? country : options.defaultCountry;
  const phone = present(traits.phone) ? normalisePhone(traits.phone, { defaultCountry: phoneCountry, strictness: 'valid' }) : undefined;
  const nationalId = present(traits.nationalId)
    ? traits.nationalId
        .normalize('NFKC')
        .replace(/[^\p{L}\p{N}]/gu, '')
        .toUpperCase()
    : undefined;
  const addressValue = address.ok ? address.value : undefined;

  return {
    recordId,
    ...(given?.ok === true
      ? {
          firstName: given.value.name,
          firstNameCanonical: given.value.canonical,
          firstNamePhonetic: doubleMetaphone(given.value.canonical),
        }
      : {}),
    ...(family?.ok === true ? { lastName: family.value, lastNamePhonetic: doubleMetaphone(family.value) } : {}),
    ...(addressValue?.street !== undefined ? { street: addressValue.street } : {}),
    ...(addressValue?.streetNumber !== undefined ? { streetNumber: addressValue.streetNumber } : {}),
    ...(addressValue?.unit !== undefined ? { unit: addressValue.unit } : {}),
    ...(addressValue?.locality !== undefined ? { locality: addressValue.locality } : {}),
    ...(addressValue?.postcode !== undefined ? { postcode: addressValue.postcode } : {}),
    ...(addressValue?.state !== undefined ? { state: addressValue.state } : {}),
    ...(birthDate?.ok === true ? { birthDate: birthDate.value } : {}),
    ...(phone?.ok === true ? { phone: phone.value } : {}),
    ...(nationalId !== undefined && nationalId !== '' ? { nationalId } : {}),
  };
}
