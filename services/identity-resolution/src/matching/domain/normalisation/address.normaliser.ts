import { NormalisationResult, normalisationFailure, normalised } from './normalisation-result.model';
import { collapseWhitespace, dropApostrophes, foldText, tokens } from './text-folding';

/**
 * Street types as Australia Post and USPS abbreviate them. Only the street's final word (or the
 * word before a trailing direction) is abbreviated, so "Park Street" becomes "park st" while a
 * street named "Avenue Road" keeps its first word.
 */
const STREET_TYPES: Readonly<Record<string, string>> = {
  street: 'st',
  str: 'st',
  road: 'rd',
  avenue: 'ave',
  av: 'ave',
  drive: 'dr',
  drv: 'dr',
  court: 'ct',
  crt: 'ct',
  place: 'pl',
  crescent: 'cres',
  cresent: 'cres',
  cr: 'cres',
  boulevard: 'blvd',
  bvd: 'blvd',
  lane: 'ln',
  terrace: 'tce',
  parade: 'pde',
  highway: 'hwy',
  close: 'cl',
  circuit: 'cct',
  esplanade: 'esp',
  grove: 'gr',
  square: 'sq',
  parkway: 'pkwy',
  circle: 'cir',
  way: 'way',
  alley: 'aly',
  rise: 'rise',
  row: 'row',
  walk: 'walk',
};
const DIRECTIONS: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  n: 'n',
  s: 's',
  e: 'e',
  w: 'w',
};
const LOCALITY_WORDS: Readonly<Record<string, string>> = { saint: 'st', mount: 'mt', fort: 'ft', point: 'pt' };

// "No. 5" and "Lot 5" name the street number, not a unit, so they are not designators.
const UNIT_DESIGNATORS = 'unit|u|apartment|apt|flat|suite|ste|shop|villa|townhouse';
const LEADING_UNIT = new RegExp(`^(?:${UNIT_DESIGNATORS})\\s*([a-z]?\\d+[a-z]?|[a-z])\\s+(.+)$`, 'u');
const TRAILING_UNIT = new RegExp(`^(.+?)\\s+(?:${UNIT_DESIGNATORS})\\s*([a-z]?\\d+[a-z]?|[a-z])$`, 'u');
const SLASH_UNIT = /^([a-z]?\d+[a-z]?)\s*\/\s*(\d.*)$/u;
const DESIGNATOR_PREFIX = new RegExp(`^(?:${UNIT_DESIGNATORS}|level|floor|lvl)(?=\\d)`, 'u');
const STREET_NUMBER = /^\d+[a-z]?(?:-\d+[a-z]?)?$/u;

/** Written-out street types, longest first, for squashedStreetName. */
const LONG_STREET_TYPES = Object.entries(STREET_TYPES)
  .filter(([long, short]) => long.length > short.length)
  .sort(([x], [y]) => y.length - x.length);

/**
 * A street name run together, its type abbreviated: "fawkner st", "Fawkner Street" and the second
 * line "fawknerstreet" all become "fawknerst". Lets a street given on the second address line
 * (lines 1 and 2 swapped) be recognised.
 */
export function squashedStreetName(text: string): string {
  const squashed = text.replace(/[^\p{L}\p{N}]/gu, '');
  const type = LONG_STREET_TYPES.find(([long]) => squashed.length > long.length && squashed.endsWith(long));
  return type !== undefined ? `${squashed.slice(0, -type[0].length)}${type[1]}` : squashed;
}

export interface NormalisedStreet {
  /** The street line without the unit: "12 smith st". */
  readonly street: string;
  readonly streetNumber?: string;
  /** The street without its number: "smith st". */
  readonly streetName?: string;
  /** A unit found inside the street line ("5/12 Smith St", "Unit 5, 12 Smith St"). */
  readonly unit?: string;
}

function cleanAddressText(raw: string): string {
  return collapseWhitespace(
    dropApostrophes(foldText(raw))
      .replace(/#\s*/gu, ' unit ')
      .replace(/[^\p{L}\p{N}/-]+/gu, ' ')
      // Hyphens survive only inside number ranges (12-14); a hyphen anywhere else separates words.
      .replace(/(\d)\s*-\s*(?=\d)/gu, '$1-')
      .replace(/(?<!\d)-|-(?!\d)/gu, ' '),
  );
}

function abbreviateStreetType(words: string[]): string[] {
  const out = [...words];
  const last = out.length - 1;
  const lastWord = out[last];
  if (lastWord === undefined) return out;
  const direction = DIRECTIONS[lastWord];
  if (direction !== undefined && out.length >= 3) {
    out[last] = direction;
    const typeWord = out[last - 1] ?? '';
    out[last - 1] = STREET_TYPES[typeWord] ?? typeWord;
    return out;
  }
  if (out.length >= 2) out[last] = STREET_TYPES[lastWord] ?? lastWord;
  return out;
}

/**
 * First-line address: unit extracted, street type abbreviated, number split from name. Unit
 * extraction repeats until nothing more is found so that a second pass changes nothing.
 */
/**
 * Normalises a street line to a fixed point: cleaning can turn a marker into a unit phrase
 * ("0#0/" -> "0 unit 0") that only a second pass recognises, and a normalised value must
 * normalise to itself.
 */
export function normaliseStreet(raw: string): NormalisationResult<NormalisedStreet> {
  let result = normaliseStreetOnce(raw);
  for (let pass = 0; pass < 5 && result.ok; pass++) {
    const again = normaliseStreetOnce(result.value.street);
    if (!again.ok || again.value.street === result.value.street) break;
    const unit = result.value.unit ?? again.value.unit;
    result = normalised({ ...again.value, ...(unit !== undefined ? { unit } : {}) });
  }
  return result;
}

function normaliseStreetOnce(raw: string): NormalisationResult<NormalisedStreet> {
  let text = cleanAddressText(raw);
  let unit: string | undefined;
  for (;;) {
    const leading = LEADING_UNIT.exec(text) ?? null;
    const slash = leading === null ? SLASH_UNIT.exec(text) : null;
    const trailing = leading === null && slash === null ? TRAILING_UNIT.exec(text) : null;
    if (leading !== null) {
      unit ??= leading[1];
      text = leading[2] ?? '';
    } else if (slash !== null) {
      unit ??= slash[1];
      text = slash[2] ?? '';
    } else if (trailing !== null) {
      unit ??= trailing[2];
      text = trailing[1] ?? '';
    } else {
      break;
    }
  }
  const words = abbreviateStreetType(tokens(text.replace(/\//gu, ' ')));
  if (words.length === 0) return normalisationFailure('street', 'empty', 'no street in address line');
  const first = words[0] ?? '';
  const hasNumber = STREET_NUMBER.test(first) && words.length > 1;
  return normalised({
    street: words.join(' '),
    ...(hasNumber ? { streetNumber: first, streetName: words.slice(1).join(' ') } : { streetName: words.join(' ') }),
    ...(unit !== undefined ? { unit } : {}),
  });
}

/** Second address line reduced to the unit's identifier: "Apt. 4 B" -> "4b", "Unit 12" -> "12". */
export function normaliseUnit(raw: string): NormalisationResult<string> {
  const words = tokens(cleanAddressText(raw).replace(/[/-]/gu, ' ')).filter(
    (word) => !new RegExp(`^(?:${UNIT_DESIGNATORS})$`, 'u').test(word),
  );
  let unit = words.join('');
  while (DESIGNATOR_PREFIX.test(unit)) unit = unit.replace(DESIGNATOR_PREFIX, '');
  if (unit === '') return normalisationFailure('line2', 'empty', 'no unit identifier');
  return normalised(unit);
}

/** Suburb or city: folded, punctuation-free, common words abbreviated (Saint Kilda -> st kilda). */
export function normaliseLocality(raw: string): NormalisationResult<string> {
  const words = tokens(cleanAddressText(raw).replace(/[/-]/gu, ' ')).map((word) => LOCALITY_WORDS[word] ?? word);
  if (words.length === 0) return normalisationFailure('locality', 'empty', 'no locality');
  return normalised(words.join(' '));
}

const POSTCODE_FORMATS: Readonly<Record<string, { readonly pattern: RegExp; readonly format: (compact: string) => string }>> = {
  AU: { pattern: /^\d{4}$/u, format: (c) => c },
  NZ: { pattern: /^\d{4}$/u, format: (c) => c },
  // ZIP+4 carries no extra evidence about a person and is often missing: keep the five digits.
  US: { pattern: /^\d{5}(?:\d{4})?$/u, format: (c) => c.slice(0, 5) },
  GB: { pattern: /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/u, format: (c) => `${c.slice(0, -3)} ${c.slice(-3)}` },
  CA: { pattern: /^[A-Z]\d[A-Z]\d[A-Z]\d$/u, format: (c) => `${c.slice(0, 3)} ${c.slice(3)}` },
  DE: { pattern: /^\d{5}$/u, format: (c) => c },
  FR: { pattern: /^\d{5}$/u, format: (c) => c },
  NL: { pattern: /^\d{4}[A-Z]{2}$/u, format: (c) => `${c.slice(0, 4)} ${c.slice(4)}` },
};

/**
 * Postcode in the country's canonical spelling. Countries without a known format get the
 * upper-cased alphanumerics, which is still stable under re-normalisation.
 */
export function normalisePostcode(raw: string, country = 'AU'): NormalisationResult<string> {
  const compact = foldText(raw)
    .toUpperCase()
    .replace(/[^A-Z0-9]/gu, '');
  if (compact === '') return normalisationFailure('postcode', 'empty', 'no postcode');
  const rule = POSTCODE_FORMATS[country.toUpperCase()];
  if (rule === undefined) return normalised(compact);
  if (!rule.pattern.test(compact)) {
    return normalisationFailure('postcode', 'invalid_format', `not a ${country.toUpperCase()} postcode`);
  }
  return normalised(rule.format(compact));
}

const STATES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  AU: {
    'new south wales': 'NSW',
    victoria: 'VIC',
    queensland: 'QLD',
    'south australia': 'SA',
    'western australia': 'WA',
    tasmania: 'TAS',
    'northern territory': 'NT',
    'australian capital territory': 'ACT',
    vic: 'VIC',
    qld: 'QLD',
    nsw: 'NSW',
    sa: 'SA',
    wa: 'WA',
    tas: 'TAS',
    nt: 'NT',
    act: 'ACT',
  },
  US: {
    alabama: 'AL',
    alaska: 'AK',
    arizona: 'AZ',
    arkansas: 'AR',
    california: 'CA',
    colorado: 'CO',
    connecticut: 'CT',
    delaware: 'DE',
    'district of columbia': 'DC',
    florida: 'FL',
    georgia: 'GA',
    hawaii: 'HI',
    idaho: 'ID',
    illinois: 'IL',
    indiana: 'IN',
    iowa: 'IA',
    kansas: 'KS',
    kentucky: 'KY',
    louisiana: 'LA',
    maine: 'ME',
    maryland: 'MD',
    massachusetts: 'MA',
    michigan: 'MI',
    minnesota: 'MN',
    mississippi: 'MS',
    missouri: 'MO',
    montana: 'MT',
    nebraska: 'NE',
    nevada: 'NV',
    'new hampshire': 'NH',
    'new jersey': 'NJ',
    'new mexico': 'NM',
    'new york': 'NY',
    'north carolina': 'NC',
    'north dakota': 'ND',
    ohio: 'OH',
    oklahoma: 'OK',
    oregon: 'OR',
    pennsylvania: 'PA',
    'rhode island': 'RI',
    'south carolina': 'SC',
    'south dakota': 'SD',
    tennessee: 'TN',
    texas: 'TX',
    utah: 'UT',
    vermont: 'VT',
    virginia: 'VA',
    washington: 'WA',
    'west virginia': 'WV',
    wisconsin: 'WI',
    wyoming: 'WY',
  },
};

/** State or territory as its postal abbreviation ("New South Wales" -> "NSW"). */
export function normaliseState(raw: string, country = 'AU'): NormalisationResult<string> {
  const folded = tokens(cleanAddressText(raw).replace(/[/-]/gu, ' ')).join(' ');
  if (folded === '') return normalisationFailure('state', 'empty', 'no state');
  const table = STATES[country.toUpperCase()];
  const known = table?.[folded];
  if (known !== undefined) return normalised(known);
  const upper = folded.toUpperCase();
  // An abbreviation already in canonical form maps to itself; this keeps the function idempotent.
  if (table !== undefined && Object.values(table).includes(upper)) return normalised(upper);
  return normalised(upper.replace(/ /gu, ''));
}

export interface AddressInput {
  readonly line1?: string | undefined;
  readonly line2?: string | undefined;
  readonly city?: string | undefined;
  readonly postcode?: string | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
}

export interface NormalisedAddress {
  readonly street?: string;
  readonly streetNumber?: string;
  readonly streetName?: string;
  readonly unit?: string;
  readonly locality?: string;
  readonly postcode?: string;
  readonly state?: string;
}

/**
 * Each part is normalised on its own and a part that fails is simply absent: a bad postcode
 * should not throw away a good street. Fails only when no part survives.
 */
export function normaliseAddress(input: AddressInput, defaultCountry = 'AU'): NormalisationResult<NormalisedAddress> {
  const country = input.country !== undefined && input.country.trim() !== '' ? input.country.trim().toUpperCase() : defaultCountry;
  const street = input.line1 !== undefined ? normaliseStreet(input.line1) : undefined;
  const line2 = input.line2 !== undefined ? normaliseUnit(input.line2) : undefined;
  const locality = input.city !== undefined ? normaliseLocality(input.city) : undefined;
  const postcode = input.postcode !== undefined ? normalisePostcode(input.postcode, country) : undefined;
  const state = input.state !== undefined ? normaliseState(input.state, country) : undefined;

  const streetValue = street?.ok === true ? street.value : undefined;
  // An explicit second line wins over a unit guessed from the first line.
  const unit = line2?.ok === true ? line2.value : streetValue?.unit;
  const address: NormalisedAddress = {
    ...(streetValue !== undefined ? { street: streetValue.street } : {}),
    ...(streetValue?.streetNumber !== undefined ? { streetNumber: streetValue.streetNumber } : {}),
    ...(streetValue?.streetName !== undefined ? { streetName: streetValue.streetName } : {}),
    ...(unit !== undefined ? { unit } : {}),
    ...(locality?.ok === true ? { locality: locality.value } : {}),
    ...(postcode?.ok === true ? { postcode: postcode.value } : {}),
    ...(state?.ok === true ? { state: state.value } : {}),
  };
  if (Object.keys(address).length === 0) return normalisationFailure('address', 'empty', 'no usable address part');
  return normalised(address);
}
