import { normaliseEmail, EmailNormaliserOptions } from '../normalisation/email.normaliser';
import { normalisePhone, PhoneNormaliserOptions } from '../normalisation/phone.normaliser';
import { NormalisationResult, normalisationFailure, normalised } from '../normalisation/normalisation-result.model';

/** How a declared identifier type cleans its values before they are compared or stored. */
export const identifierNormaliserKinds = ['email', 'phone', 'exact', 'caseInsensitive', 'compactUpper'] as const;
export type IdentifierNormaliserKind = (typeof identifierNormaliserKinds)[number];

export interface IdentifierNormaliserSettings {
  readonly email: EmailNormaliserOptions;
  readonly phone: PhoneNormaliserOptions;
}

const MAX_IDENTIFIER_LENGTH = 512;

/**
 * exact: trimmed only (userId, anonymousId are opaque keys chosen by other systems);
 * caseInsensitive: trimmed and lower-cased; compactUpper: spaces, dots and hyphens removed and
 * upper-cased, for numbers people copy by hand (loyalty cards, plates, national ids).
 */
export function normaliseIdentifierValue(
  kind: IdentifierNormaliserKind,
  raw: string,
  settings: IdentifierNormaliserSettings,
): NormalisationResult<string> {
  let value: string;
  switch (kind) {
    case 'email':
      return normaliseEmail(raw, settings.email);
    case 'phone':
      return normalisePhone(raw, settings.phone);
    case 'exact':
      value = raw.trim();
      break;
    case 'caseInsensitive':
      value = raw.trim().toLowerCase();
      break;
    case 'compactUpper':
      value = raw
        .normalize('NFKC')
        .replace(/[\s.\-_/]+/gu, '')
        .toUpperCase();
      break;
  }
  if (value === '') return normalisationFailure('identifier', 'empty', 'empty identifier');
  if (value.length > MAX_IDENTIFIER_LENGTH) return normalisationFailure('identifier', 'invalid_format', 'longer than 512 characters');
  return normalised(value);
}
