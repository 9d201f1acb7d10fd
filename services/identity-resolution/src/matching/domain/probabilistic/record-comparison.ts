import { birthDateParts } from '../normalisation/birth-date.normaliser';
import { squashedStreetName } from '../normalisation/address.normaliser';
import { canonicalGivenName } from '../normalisation/nickname.table';
import { namedPlace, streetNameOf } from './blocking-keys';
import { PreparedRecord } from './person-record.model';
import { damerauLevenshtein, doubleMetaphone, jaroWinkler, phoneticallyEqual } from './string-similarity';

/**
 * The comparisons of the Fellegi-Sunter model and their levels, most similar first; the last
 * level of each is the catch-all disagreement.
 *
 * Fellegi-Sunter multiplies the evidence of the comparisons as if they were independent given
 * match status, so traits that are dependent among different people are grouped into one
 * comparison whose levels EM estimates jointly:
 * - street, unit, suburb, postcode and state form the address, otherwise one shared address
 *   would count as four independent coincidences;
 * - address and phone form "contact", because members of one household share both (a landline
 *   at the address);
 * - contact is further conditioned on whether the surnames agree: among different people with
 *   the same surname, sharing an address is common (a household), among people with different
 *   surnames it is rare. Levels carry the condition as a prefix ("same-surname:address") and
 *   their probabilities are normalised within each condition, so that P(surname, contact) =
 *   P(surname) * P(contact | surnames agree?) and nothing is counted twice.
 * Counted as independent, surname + address + phone outweigh a missing or different first name
 * and birth date, and households collapse into one customer.
 */
// The address part of contact is judged at the finest detail both records have: a street
// missing on one side says nothing, whereas two different streets in one suburb are neighbours.
// So "same suburb, a street unknown" and "same suburb, different streets" are separate levels.
// "address-unit": the second line (flat, building or property name) is given on both sides and
// agrees as well, which few people other than the same person share. "address-similar": the
// same house number with the street garbled beyond a typo, or the same street address under a
// postcode one keystroke away. "street-name": the same
// street in the same suburb under another (or no) house number, or the same named place (a
// village, a farm): a mistyped number or a neighbour, which EM tells apart from data.
const CONTACT_LEVELS = [
  'address-and-phone',
  'address-unit',
  'address',
  'address-similar',
  'street-name',
  'address-phone-differs',
  'phone',
  'area-street-unknown',
  'area-street-differs',
  'state-area-unknown',
  'state',
  'else',
] as const;
type ContactLevel = (typeof CONTACT_LEVELS)[number];
type SurnameCondition = 'same-surname' | 'other-surname';
/**
 * Contact levels of two addresses in one suburb or postcode, from a shared street address to
 * different streets. Not "street-name" nor "address-similar": neighbours in one street, and
 * lookalike streets under one number, are common among different people and, within a
 * postcode, too many for its share of matches to tell apart; they keep u from random pairs.
 */
export const ADDRESS_IN_AREA_LEVELS: ReadonlySet<string> = new Set<ContactLevel>([
  'address-and-phone',
  'address-unit',
  'address',
  'address-phone-differs',
  'area-street-unknown',
  'area-street-differs',
]);

export const COMPARISONS = {
  firstName: ['exact', 'nickname', 'similar', 'phonetic', 'fuzzy', 'initial', 'else'],
  lastName: ['exact', 'similar', 'phonetic', 'fuzzy', 'else'],
  birthDate: ['exact', 'transposed', 'typo', 'same-year', 'else'],
  contact: [
    ...CONTACT_LEVELS.map((level): `same-surname:${ContactLevel}` => `same-surname:${level}`),
    ...CONTACT_LEVELS.map((level): `other-surname:${ContactLevel}` => `other-surname:${level}`),
  ],
  nationalId: ['exact', 'typo', 'else'],
} as const satisfies Record<string, readonly string[]>;

export type ComparisonName = keyof typeof COMPARISONS;

/**
 * The comparison whose outcome picks a comparison's condition group: contact's levels are
 * conditioned on whether the surnames agree. EM runs that leave that comparison out (they blocked
 * on it) cannot weigh the condition, so they do not estimate m of the conditioned comparison.
 */
export const CONDITIONED_ON: Partial<Record<ComparisonName, ComparisonName>> = { contact: 'lastName' };

/**
 * The group within which a level's probabilities sum to one: the surname condition for contact
 * levels, the whole comparison otherwise.
 */
export function levelGroup(level: string): string {
  const colon = level.indexOf(':');
  return colon < 0 ? '' : level.slice(0, colon);
}
export type ComparisonLevel<C extends ComparisonName = ComparisonName> = (typeof COMPARISONS)[C][number];
export const COMPARISON_NAMES = Object.keys(COMPARISONS) as ComparisonName[];

/** Only exact agreement on these is adjusted for how common the value is (Smith vs Zielinski). */
export const TERM_FREQUENCY_COMPARISONS: readonly ComparisonName[] = ['firstName', 'lastName'];

export interface ComparisonOutcome {
  readonly comparison: ComparisonName;
  /** Null when either record lacks the data: missing evidence weighs nothing. */
  readonly level: string | null;
  readonly levelIndex: number | null;
  /** The agreed value, for the term-frequency adjustment of an exact level. */
  readonly termValue?: string;
  /**
   * Frequency tables to read termValue from (the most frequent wins). Names entered the wrong
   * way round consult both name tables, so that a surname in the first-name field does not
   * look like a uniquely rare first name.
   */
  readonly termTables?: readonly ComparisonName[];
  /** Human-readable evidence ("jw=0.94", "day and month swapped"). */
  readonly detail: string;
  /**
   * The two values, when a fuzzy level is reached by a single typing error (one letter added,
   * dropped, replaced or two swapped): a slip of the keyboard or another name, which the
   * spellings alone cannot tell (aidsn / aidan, Mark / Mary); how common each is can.
   */
  readonly oneEdit?: readonly [string, string];
}

export type NameOrientation = 'straight' | 'swapped';

export interface RecordComparison {
  readonly orientation: NameOrientation;
  readonly outcomes: readonly ComparisonOutcome[];
}

interface NameSide {
  readonly name?: string | undefined;
  readonly canonical?: string | undefined;
  readonly phonetic?: readonly [string, string] | undefined;
}

function outcome<C extends ComparisonName>(
  comparison: C,
  level: ComparisonLevel<C> | null,
  detail: string,
  termValue?: string,
): ComparisonOutcome {
  const levels: readonly string[] = COMPARISONS[comparison];
  return {
    comparison,
    level,
    levelIndex: level === null ? null : levels.indexOf(level),
    detail,
    ...(termValue !== undefined ? { termValue } : {}),
  };
}

/** The name up to its first space (the whole name without one); no array per call, it runs for every compared pair. */
function firstToken(name: string): string {
  const space = name.indexOf(' ');
  return space < 0 ? name : name.slice(0, space);
}

function compareFirstNames(a: NameSide, b: NameSide): ComparisonOutcome {
  if (a.name === undefined || b.name === undefined) return outcome('firstName', null, 'missing');
  if (a.name === b.name) return outcome('firstName', 'exact', a.name, a.name);
  const canonicalA = a.canonical ?? canonicalGivenName(a.name);
  const canonicalB = b.canonical ?? canonicalGivenName(b.name);
  if (canonicalA === canonicalB) return outcome('firstName', 'nickname', `${a.name} ~ ${b.name} (${canonicalA})`);
  // A short form that is the start of the full name (alex / alexander) is outside the nickname
  // table when ambiguous, but still evidence; EM decides how much.
  const tokenA = firstToken(a.name);
  const tokenB = firstToken(b.name);
  const [shorter, longer] = tokenA.length <= tokenB.length ? [tokenA, tokenB] : [tokenB, tokenA];
  if (shorter.length >= 3 && shorter !== longer && longer.startsWith(shorter)) {
    return outcome('firstName', 'nickname', `${shorter} is short for ${longer}`);
  }
  const similarity = Math.max(jaroWinkler(a.name, b.name), jaroWinkler(canonicalA, canonicalB));
  const detail = `jw=${similarity.toFixed(2)}`;
  // A middle name present on one side only ("mary jane" vs "mary") is the same first name.
  if (similarity >= 0.92 || (tokenA === tokenB && tokenA.length > 1)) {
    return outcome('firstName', 'similar', detail);
  }
  if (phoneticallyEqual(a.phonetic ?? doubleMetaphone(canonicalA), b.phonetic ?? doubleMetaphone(canonicalB))) {
    return outcome('firstName', 'phonetic', `${detail}, sounds alike`);
  }
  if (similarity >= 0.8) {
    // The level stays fuzzy (the model weighs it); only the household guard reads oneEdit.
    if (damerauLevenshtein(a.name, b.name) <= 1)
      return { ...outcome('firstName', 'fuzzy', `${detail}, one edit apart`), oneEdit: [a.name, b.name] };
    return outcome('firstName', 'fuzzy', detail);
  }
  if ((tokenA.length === 1 || tokenB.length === 1) && tokenA[0] === tokenB[0]) return outcome('firstName', 'initial', 'initials agree');
  return outcome('firstName', 'else', detail);
}

function compareLastNames(a: NameSide, b: NameSide): ComparisonOutcome {
  if (a.name === undefined || b.name === undefined) return outcome('lastName', null, 'missing');
  if (a.name === b.name) return outcome('lastName', 'exact', a.name, a.name);
  const similarity = jaroWinkler(a.name, b.name);
  const detail = `jw=${similarity.toFixed(2)}`;
  if (similarity >= 0.92) return outcome('lastName', 'similar', detail);
  if (phoneticallyEqual(a.phonetic ?? doubleMetaphone(a.name), b.phonetic ?? doubleMetaphone(b.name))) {
    return outcome('lastName', 'phonetic', `${detail}, sounds alike`);
  }
  if (similarity >= 0.8) return outcome('lastName', 'fuzzy', detail);
  return outcome('lastName', 'else', detail);
}

function compareBirthDates(a: PreparedRecord, b: PreparedRecord): ComparisonOutcome {
  if (a.birthDate === undefined || b.birthDate === undefined) return outcome('birthDate', null, 'missing');
  if (a.birthDate === b.birthDate) return outcome('birthDate', 'exact', a.birthDate);
  const partsA = birthDateParts(a.birthDate);
  const partsB = birthDateParts(b.birthDate);
  if (partsA === undefined || partsB === undefined) return outcome('birthDate', 'else', 'unreadable');
  if (partsA.year === partsB.year && partsA.day === partsB.month && partsA.month === partsB.day) {
    return outcome('birthDate', 'transposed', 'day and month swapped');
  }
  const digitsA = a.birthDate.replace(/-/gu, '');
  const digitsB = b.birthDate.replace(/-/gu, '');
  if (damerauLevenshtein(digitsA, digitsB) === 1) {
    const sameDigits = [...digitsA].sort().join('') === [...digitsB].sort().join('');
    return sameDigits
      ? outcome('birthDate', 'transposed', 'two adjacent digits swapped')
      : outcome('birthDate', 'typo', 'one digit differs');
  }
  if (partsA.year === partsB.year) return outcome('birthDate', 'same-year', 'same year only');
  return outcome('birthDate', 'else', `${a.birthDate} vs ${b.birthDate}`);
}

/**
 * Two different flats in one building are neighbours, not one person: unit numbers must be equal.
 * A second line that names a place ("rosebery hill", "frankston caravan park") is text like any
 * other and gets the same typo tolerance as a suburb.
 */
function unitsAgree(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === b) return true;
  return namedPlace(a) && namedPlace(b) && jaroWinkler(a, b) >= 0.9;
}

/**
 * The first and second address lines given the other way round on one record ("8 Emerald
 * College" / "Fawkner Street" against "8 Fawkner St" / "Emerald College"): each record's street
 * name is the other's second line, and the numbers agree.
 */
function linesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  if (a.unit === undefined || b.unit === undefined || a.streetNumber !== b.streetNumber) return false;
  const nameA = streetNameOf(a);
  const nameB = streetNameOf(b);
  return (
    nameA !== undefined &&
    nameB !== undefined &&
    jaroWinkler(nameA, squashedStreetName(b.unit)) >= 0.9 &&
    jaroWinkler(squashedStreetName(a.unit), nameB) >= 0.9
  );
}

/** The same street under another or no number (not two flats of one building), or the same named place on the second line. */
function sameStreetOrPlace(a: PreparedRecord, b: PreparedRecord): boolean {
  const nameA = streetNameOf(a);
  const nameB = streetNameOf(b);
  const neighbours = a.streetNumber !== undefined && a.streetNumber === b.streetNumber && !unitsAgree(a.unit, b.unit);
  if (nameA !== undefined && nameB !== undefined && !neighbours && jaroWinkler(nameA, nameB) >= 0.92) return true;
  return namedPlace(a.unit) && namedPlace(b.unit) && jaroWinkler(a.unit, b.unit) >= 0.9;
}

type AddressLevel =
  | 'exact'
  | 'street-typo'
  | 'street-similar'
  | 'street-name'
  | 'area-street-unknown'
  | 'area-street-differs'
  | 'state-area-unknown'
  | 'state'
  | 'else';

function compareAddressParts(a: PreparedRecord, b: PreparedRecord): { level: AddressLevel; detail: string } | null {
  const hasAddress = (r: PreparedRecord): boolean =>
    r.street !== undefined || r.postcode !== undefined || r.locality !== undefined || r.state !== undefined;
  if (!hasAddress(a) || !hasAddress(b)) return null;
  const postcodeComparable = a.postcode !== undefined && b.postcode !== undefined;
  const localityComparable = a.locality !== undefined && b.locality !== undefined;
  const areaComparable = postcodeComparable || localityComparable;
  // A mistyped suburb ("Chatsowod") still places the street; suburb names are long enough for
  // a high Jaro-Winkler bar to mean the same place.
  const sameArea =
    (postcodeComparable && a.postcode === b.postcode) || (localityComparable && jaroWinkler(a.locality ?? '', b.locality ?? '') >= 0.9);
  const sameState = a.state !== undefined && a.state === b.state;
  const stateComparable = a.state !== undefined && b.state !== undefined;

  if (a.street !== undefined && b.street !== undefined) {
    const unitsCompatible = unitsAgree(a.unit, b.unit);
    const placed = sameArea || (!areaComparable && (!stateComparable || sameState));
    if (placed && !unitsCompatible && linesSwapped(a, b)) return { level: 'street-typo', detail: 'address lines 1 and 2 swapped' };
    if (placed && unitsCompatible) {
      if (a.street === b.street) return { level: 'exact', detail: 'same street address' };
      const similarity = jaroWinkler(a.street, b.street);
      if (similarity >= 0.9 && a.streetNumber === b.streetNumber)
        return { level: 'street-typo', detail: `street jw=${similarity.toFixed(2)}` };
      // Same number, a street name garbled beyond a typo ("pridhamstreet", "sidawawytreet").
      if (similarity >= 0.75 && a.streetNumber !== undefined && a.streetNumber === b.streetNumber)
        return { level: 'street-similar', detail: `same number, street jw=${similarity.toFixed(2)}` };
    }
    // The same house number and street under a postcode one keystroke away, the suburb missing
    // or replaced and the state not contradicting: a mistyped postcode more often than a
    // namesake street elsewhere, so weighed as a near address, not as another area.
    const postcodeSlip =
      postcodeComparable && !sameArea && withinOneEdit(a.postcode ?? '', b.postcode ?? '') && (!stateComparable || sameState);
    if (
      postcodeSlip &&
      unitsCompatible &&
      a.streetNumber !== undefined &&
      a.streetNumber === b.streetNumber &&
      jaroWinkler(a.street, b.street) >= 0.9
    ) {
      return { level: 'street-similar', detail: 'same street address, postcode one character apart' };
    }
    if (sameArea && sameStreetOrPlace(a, b))
      return { level: 'street-name', detail: 'same suburb and street or named place, another number' };
    if (sameArea) return { level: 'area-street-differs', detail: 'same suburb or postcode, different street or unit' };
  } else if (sameArea) {
    if (sameStreetOrPlace(a, b)) return { level: 'street-name', detail: 'same suburb and named place' };
    return { level: 'area-street-unknown', detail: 'same suburb or postcode, a street unknown' };
  }
  if (areaComparable) {
    return sameArea || !sameState ? { level: 'else', detail: 'different area' } : { level: 'state', detail: 'same state, different area' };
  }
  if (sameState) return { level: 'state-area-unknown', detail: 'same state, an area unknown' };
  return { level: 'else', detail: 'different address' };
}

type PhoneLevel = 'exact' | 'typo' | 'else';

function comparePhones(a: PreparedRecord, b: PreparedRecord): { level: PhoneLevel; detail: string } | null {
  if (a.phone === undefined || b.phone === undefined) return null;
  if (a.phone === b.phone) return { level: 'exact', detail: 'same phone' };
  if (a.phone.length === b.phone.length && damerauLevenshtein(a.phone, b.phone) === 1)
    return { level: 'typo', detail: 'phone differs by one digit' };
  return { level: 'else', detail: 'different phone' };
}

function compareContact(a: PreparedRecord, b: PreparedRecord, surnamesAgree: boolean): ComparisonOutcome {
  const address = compareAddressParts(a, b);
  const phone = comparePhones(a, b);
  if (address === null && phone === null) return outcome('contact', null, 'missing');
  const condition: SurnameCondition = surnamesAgree ? 'same-surname' : 'other-surname';
  const detail = [address?.detail ?? 'address missing', phone?.detail ?? 'phone missing', condition].join(', ');
  const sameAddress = address?.level === 'exact' || address?.level === 'street-typo';
  const samePhone = phone?.level === 'exact' || phone?.level === 'typo';
  const level = (contact: ContactLevel): ComparisonOutcome => outcome('contact', `${condition}:${contact}`, detail);
  if (sameAddress && samePhone) return level('address-and-phone');
  if (sameAddress && phone === null) return level(a.unit !== undefined && b.unit !== undefined ? 'address-unit' : 'address');
  if (address?.level === 'street-similar' && !samePhone) return level('address-similar');
  if (sameAddress) return level('address-phone-differs');
  if (samePhone) return level('phone');
  switch (address?.level) {
    case 'street-name':
    case 'area-street-unknown':
    case 'area-street-differs':
    case 'state-area-unknown':
    case 'state':
      return level(address.level);
    default:
      return level('else');
  }
}

const AGREEING_SURNAME_LEVELS: ReadonlySet<string | null> = new Set(['exact', 'similar', 'phonetic']);

/** Same length and one character different or two adjacent ones swapped: a keying slip, not another value. */
export function withinOneEdit(a: string, b: string): boolean {
  return a.length === b.length && damerauLevenshtein(a, b) === 1;
}

function compareNationalIds(a: string | undefined, b: string | undefined): ComparisonOutcome {
  const comparison = 'nationalId';
  if (a === undefined || b === undefined) return outcome(comparison, null, 'missing');
  if (a === b) return outcome(comparison, 'exact', 'identical');
  if (withinOneEdit(a, b)) return outcome(comparison, 'typo', 'one character differs or two swapped');
  return outcome(comparison, 'else', 'different');
}

function firstSide(r: PreparedRecord): NameSide {
  return { name: r.firstName, canonical: r.firstNameCanonical, phonetic: r.firstNamePhonetic };
}

function lastSide(r: PreparedRecord): NameSide {
  return { name: r.lastName, phonetic: r.lastNamePhonetic };
}

/**
 * Whether the names look entered the wrong way round (first in last, last in first). Decided by
 * a symmetric criterion so that compare(a, b) and compare(b, a) agree.
 */
export function namesLookSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  if (a.firstName === undefined || a.lastName === undefined || b.firstName === undefined || b.lastName === undefined) return false;
  const straight = jaroWinkler(a.firstName, b.firstName) + jaroWinkler(a.lastName, b.lastName);
  const crossed = jaroWinkler(a.firstName, b.lastName) + jaroWinkler(a.lastName, b.firstName);
  return crossed > straight + 0.1;
}

/**
 * Every comparison for the pair. With swapped names there are two ways to pair the crossed
 * names with the first/last comparisons; `prefer` picks between them (the scorer prefers the
 * higher weight, EM the better levels), which keeps the result symmetric.
 */
export function compareRecords(
  a: PreparedRecord,
  b: PreparedRecord,
  prefer: (x: readonly ComparisonOutcome[], y: readonly ComparisonOutcome[]) => boolean = preferBetterLevels,
): RecordComparison {
  const rest = (names: readonly ComparisonOutcome[]): ComparisonOutcome[] => [
    ...names,
    compareBirthDates(a, b),
    compareContact(a, b, AGREEING_SURNAME_LEVELS.has(names[1]?.level ?? null)),
    compareNationalIds(a.nationalId, b.nationalId),
  ];
  if (!namesLookSwapped(a, b)) {
    return {
      orientation: 'straight',
      outcomes: rest([compareFirstNames(firstSide(a), firstSide(b)), compareLastNames(lastSide(a), lastSide(b))]),
    };
  }
  // The surname standing in the first-name field gets no nickname mapping: it is not a given name.
  const asFirst = (r: PreparedRecord): NameSide => ({ name: r.lastName, canonical: r.lastName, phonetic: r.lastNamePhonetic });
  const asLast = (r: PreparedRecord): NameSide => ({ name: r.firstName, phonetic: r.firstNamePhonetic });
  const viaA = [compareFirstNames(firstSide(a), asFirst(b)), compareLastNames(lastSide(a), asLast(b))];
  const viaB = [compareFirstNames(asFirst(a), firstSide(b)), compareLastNames(asLast(a), lastSide(b))];
  const tag = (names: readonly ComparisonOutcome[]): ComparisonOutcome[] =>
    names.map((item) => (item.termValue !== undefined ? { ...item, termTables: ['firstName', 'lastName'] as const } : item));
  const optionA = rest(tag(viaA));
  const optionB = rest(tag(viaB));
  return { orientation: 'swapped', outcomes: prefer(optionB, optionA) ? optionB : optionA };
}

function levelRankSum(outcomes: readonly ComparisonOutcome[]): number {
  return outcomes.reduce((sum, item) => sum + (item.levelIndex ?? 0), 0);
}

/** Strictly better levels (lower indices); ties keep the first candidate. */
export function preferBetterLevels(x: readonly ComparisonOutcome[], y: readonly ComparisonOutcome[]): boolean {
  return levelRankSum(x) < levelRankSum(y);
}
