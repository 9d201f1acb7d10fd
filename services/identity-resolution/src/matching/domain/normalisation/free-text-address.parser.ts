import { parseAddress } from 'addresser';

export interface AddressParts {
  readonly street?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly state?: string;
  readonly postcode?: string;
}

const MAX_ADDRESS_LENGTH = 300;
// "NSW 2000", "Victoria 3065", "IL 62701-1234", "SW1A 1AA" (a postcode alone).
const STATE_POSTCODE = /^(?:(\p{L}[\p{L} .]*?)\s+)?([A-Z0-9]{2,4}(?:[ -]?[A-Z0-9]{3,4})?)$/iu;

/**
 * An address given as one line ("123 Main St Apt 4, Las Vegas, NV 89111") split into the parts
 * the matcher compares. US addresses go through addresser, which knows street suffixes, units
 * and states; anything else is split at its commas: the first part the street, the last the
 * state and postcode, the one before it the city.
 */
export function splitFreeTextAddress(raw: string): AddressParts {
  const text = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (text === '' || text.length > MAX_ADDRESS_LENGTH) return {};
  try {
    const us = parseAddress(text);
    if (us.addressLine1 !== undefined && us.placeName !== undefined) {
      return compact({
        street: us.addressLine1,
        line2: us.addressLine2,
        city: us.placeName,
        state: us.stateAbbreviation,
        postcode: us.zipCode,
      });
    }
  } catch {
    // Not an address addresser understands: split it ourselves.
  }
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return {};
  const [street, ...rest] = parts;
  let last = rest.pop();
  let state: string | undefined;
  let postcode: string | undefined;
  const tail = last !== undefined ? STATE_POSTCODE.exec(last) : null;
  if (last !== undefined && tail !== null && /\d/u.test(tail[2] ?? '')) {
    state = tail[1];
    postcode = tail[2];
    last = rest.pop();
  }
  return compact({ street, line2: rest.length > 0 ? rest.join(', ') : undefined, city: last, state, postcode });
}

function compact(parts: { [K in keyof AddressParts]: string | undefined }): AddressParts {
  return Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== undefined && value.trim() !== '')) as AddressParts;
}
