import { squashedStreetName } from '../normalisation/address.normaliser';
import { PreparedRecord } from './person-record.model';

/**
 * Blocking keys of a record: two records become a candidate pair when they share at least one
 * key. Several independent keys, so that one noisy field (a typo in the surname, a transposed
 * birth date, a new address) still leaves another key in common. Each key names its recipe,
 * so one inverted index can hold them all. Stored by the service as key -> record ids.
 */
export function blockingKeys(record: PreparedRecord): string[] {
  const keys = new Set<string>();
  const year = record.birthDate?.slice(0, 4);
  const lastCode = record.lastNamePhonetic?.[0];
  const firstCode = record.firstNamePhonetic?.[0];
  const firstInitial = record.firstNameCanonical?.[0];
  const lastInitial = record.lastName?.[0];

  if (lastCode && year) keys.add(`ln-year:${lastCode}:${year}`);
  if (firstCode && year) keys.add(`fn-year:${firstCode}:${year}`);
  // Order-free name codes catch first and last names entered the wrong way round.
  if (firstCode && lastCode) keys.add(`names:${[firstCode, lastCode].sort().join(':')}`);
  if (record.postcode && firstInitial) keys.add(`postcode-fi:${record.postcode}:${firstInitial}`);
  if (record.birthDate && lastInitial) keys.add(`dob-li:${record.birthDate}:${lastInitial}`);
  if (record.birthDate && firstInitial) keys.add(`dob-fi:${record.birthDate}:${firstInitial}`);
  // The full date alone: names swapped, replaced or garbled on one side leave it in common, and
  // a day of birth is shared by few enough people to keep the block small.
  if (record.birthDate) keys.add(`dob:${record.birthDate}`);
  // One building, one key: catches records whose names are too garbled for the name keys.
  if (record.street && record.postcode) keys.add(`street-pc:${record.street}:${record.postcode}`);
  if (record.street && record.locality) keys.add(`street-loc:${record.street}:${record.locality}`);
  // The building without the street's spelling: a street name run together or misspelt
  // ("wolffcrescent") still leaves its number in its postcode or suburb.
  if (record.streetNumber && record.postcode) keys.add(`num-pc:${record.streetNumber}:${record.postcode}`);
  if (record.streetNumber && record.locality) keys.add(`num-loc:${record.streetNumber}:${record.locality}`);
  // The street's first word without number or type ("cobby" of "14 cobby st", so that "onslow
  // sreet" still meets "onslow st"), with either name: catches records whose postcode, suburb
  // and birth date are all garbled at once while a name and the street survive.
  const streetName = streetWordOf(record);
  if (streetName && record.lastName) keys.add(`ln-street:${record.lastName}:${streetName}`);
  if (streetName && record.firstNameCanonical) keys.add(`fn-street:${record.firstNameCanonical}:${streetName}`);
  // The street's first word in its postcode: both names replaced and the street type mistyped.
  if (streetName && record.postcode) keys.add(`word-pc:${streetName}:${record.postcode}`);
  // The surname in its suburb: postcode, street and birth date all garbled at once.
  if (record.lastName && record.locality) keys.add(`ln-loc:${record.lastName}:${record.locality}`);
  // Either name in its postcode: names entered the wrong way round, with the other name and the
  // birth date garbled, still meet in the postcode.
  if (record.postcode)
    for (const name of [record.firstName, record.lastName])
      if (name !== undefined && name.length >= 2) keys.add(`name-pc:${name}:${record.postcode}`);
  // The street without its number, run together ("mackiecres" of "mackie cres" and of
  // "mackiecrescent"), in its postcode: another or no number, a street type written out.
  const squashed = streetNameOf(record);
  if (squashed && record.postcode) keys.add(`sq-street-pc:${squashed}:${record.postcode}`);
  // A named place on the second line ("grandview", "rosetta village") in its state.
  if (namedPlace(record.unit) && record.state) keys.add(`place-state:${record.unit}:${record.state}`);
  if (record.phone) keys.add(`phone:${record.phone}`);
  if (record.nationalId) keys.add(`nid:${record.nationalId}`);
  return [...keys].sort();
}

/** The first word of the street after its number ("cobby" of "14 cobby st"), if it is not a number itself. */
function streetWordOf(record: PreparedRecord): string | undefined {
  const { street, streetNumber } = record;
  if (street === undefined) return undefined;
  const name = streetNumber !== undefined && street.startsWith(`${streetNumber} `) ? street.slice(streetNumber.length + 1) : street;
  const word = name.trim().split(/\s+/u)[0];
  return word === undefined || word.length < 3 || /^\d/u.test(word) ? undefined : word;
}

/** A second address line that names a place ("rosebery hill") rather than a flat number. */
export function namedPlace(unit: string | undefined): unit is string {
  return unit !== undefined && unit.length >= 5 && /\p{L}{4}/u.test(unit);
}

/** The street without its number, run together with its type abbreviated; undefined when the line is only a number. */
export function streetNameOf(record: PreparedRecord): string | undefined {
  const { street, streetNumber } = record;
  if (street === undefined) return undefined;
  const name = squashedStreetName(
    streetNumber !== undefined && street.startsWith(`${streetNumber} `) ? street.slice(streetNumber.length + 1) : street,
  );
  return name.length >= 4 && /\p{L}{3}/u.test(name) ? name : undefined;
}

/**
 * An in-memory inverted index for offline work (parameter estimation, evaluation). The service
 * keeps the same keys in its database; a key with more postings than maxPostings is treated as
 * uninformative, as a stop word is in text search.
 */
export class InMemoryBlockingIndex {
  private readonly postings = new Map<string, string[]>();

  constructor(private readonly maxPostings = 200) {}

  add(record: PreparedRecord): void {
    for (const key of blockingKeys(record)) {
      const list = this.postings.get(key) ?? [];
      list.push(record.recordId);
      this.postings.set(key, list);
    }
  }

  /** Record ids sharing a usable key with the record, itself excluded. */
  candidatesFor(record: PreparedRecord): string[] {
    const found = new Set<string>();
    for (const key of blockingKeys(record)) {
      const list = this.postings.get(key);
      if (list === undefined || list.length > this.maxPostings) continue;
      for (const id of list) if (id !== record.recordId) found.add(id);
    }
    return [...found].sort();
  }

  /**
   * Every distinct candidate pair, each once, ids ordered within the pair; with `recipe`, only
   * pairs sharing a key of that recipe (the text before the first colon, e.g. "dob-li").
   */
  pairs(recipe?: string): Array<readonly [string, string]> {
    const seen = new Set<string>();
    const pairs: Array<readonly [string, string]> = [];
    for (const [key, list] of this.postings) {
      if (list.length > this.maxPostings) continue;
      if (recipe !== undefined && !key.startsWith(`${recipe}:`)) continue;
      for (let i = 0; i < list.length; i += 1) {
        for (let j = i + 1; j < list.length; j += 1) {
          const x = list[i] ?? '';
          const y = list[j] ?? '';
          if (x === y) continue;
          const pair = x < y ? ([x, y] as const) : ([y, x] as const);
          const key = `${pair[0]}\u0000${pair[1]}`;
          if (seen.has(key)) continue;
          seen.add(key);
          pairs.push(pair);
        }
      }
    }
    return pairs;
  }
}
