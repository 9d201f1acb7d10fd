import { caseVariant, dateFormat, mistypeDateDigit, phoneFormat, swapDayMonth, transposeDateDigits, typo } from './noise';
import { SeededRandom } from '@o2o/random';
import { Channel, SyntheticAddress, SyntheticPerson } from './synthetic-person.model';

/** A record carrying only personal traits, as a store, call centre or dealer form captures it. */
export interface TraitRecord {
  readonly recordId: string;
  readonly channel: Channel;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly street?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly postcode?: string;
  readonly state?: string;
  readonly birthDate?: string;
  readonly phone?: string;
  readonly nationalId?: string;
}

export interface TraitNoiseOptions {
  /** Chance of one keying error in each name, street and suburb. */
  readonly typo: number;
  /** Chance of the person's nickname instead of the first name (when they have one). */
  readonly nickname: number;
  /** Chance that first and last name are entered the wrong way round. */
  readonly swappedNames: number;
  /** Chance that each field is left empty. */
  readonly missing: {
    readonly firstName: number;
    readonly lastName: number;
    readonly address: number;
    readonly postcode: number;
    readonly state: number;
    readonly birthDate: number;
    readonly phone: number;
    readonly nationalId: number;
  };
  /** Chance that a record gives the household landline rather than the person's mobile. */
  readonly householdPhone: number;
  readonly dayMonthSwap: number;
  readonly dateDigitTransposition: number;
  readonly dateDigitTypo: number;
  readonly phoneDigitTypo: number;
  /** Chance that a record of a person who moved still has the previous address. */
  readonly oldAddress: number;
}

export const defaultTraitNoise: TraitNoiseOptions = {
  typo: 0.05,
  nickname: 0.15,
  swappedNames: 0.03,
  missing: { firstName: 0.02, lastName: 0.02, address: 0.15, postcode: 0.1, state: 0.3, birthDate: 0.25, phone: 0.3, nationalId: 0.75 },
  householdPhone: 0.35,
  dayMonthSwap: 0.03,
  dateDigitTransposition: 0.02,
  dateDigitTypo: 0.01,
  phoneDigitTypo: 0.01,
  oldAddress: 0.5,
};

const TRAIT_CHANNELS: readonly Channel[] = ['store', 'call-centre', 'dealer', 'loyalty', 'web'];

function streetLine(rng: SeededRandom, address: SyntheticAddress, noise: TraitNoiseOptions): { street: string; line2?: string } {
  const type = rng.chance(0.5) ? address.streetType[0] : address.streetType[1];
  const streetName = rng.chance(noise.typo) ? typo(rng, address.streetName) : address.streetName;
  const base = `${address.number} ${streetName} ${type}`;
  if (address.unit === undefined) return { street: caseVariant(rng, base) };
  // The same unit written the ways forms allow: in the first line or as a second line.
  const form = rng.int(0, 3);
  if (form === 0) return { street: caseVariant(rng, `${address.unit}/${base}`) };
  if (form === 1) return { street: caseVariant(rng, `Unit ${address.unit}, ${base}`) };
  if (form === 2) return { street: caseVariant(rng, base), line2: `Unit ${address.unit}` };
  return { street: caseVariant(rng, base), line2: `Apt ${address.unit}` };
}

function noisyBirthDate(rng: SeededRandom, iso: string, noise: TraitNoiseOptions): string {
  let date = iso;
  if (rng.chance(noise.dayMonthSwap)) date = swapDayMonth(date) ?? date;
  else if (rng.chance(noise.dateDigitTransposition)) date = transposeDateDigits(rng, date) ?? date;
  else if (rng.chance(noise.dateDigitTypo)) date = mistypeDateDigit(date) ?? date;
  return dateFormat(rng, date);
}

function noisyPhone(rng: SeededRandom, person: SyntheticPerson, noise: TraitNoiseOptions): string | undefined {
  const useLandline = person.landline !== undefined && (person.mobile === undefined || rng.chance(noise.householdPhone));
  const number = useLandline ? person.landline : person.mobile;
  if (number === undefined) return undefined;
  if (!rng.chance(noise.phoneDigitTypo)) return phoneFormat(rng, number);
  const position = rng.int(2, number.length - 2);
  const a = number[position] ?? '';
  const b = number[position + 1] ?? '';
  return phoneFormat(rng, number.slice(0, position) + b + a + number.slice(position + 2));
}

/** One noisy record of a person. */
export function traitRecordOf(
  rng: SeededRandom,
  person: SyntheticPerson,
  recordId: string,
  noise: TraitNoiseOptions = defaultTraitNoise,
): TraitRecord {
  const channel = rng.pick(TRAIT_CHANNELS);
  let first = person.nickname !== undefined && rng.chance(noise.nickname) ? person.nickname : person.firstName;
  let last = person.lastName;
  if (rng.chance(noise.typo)) first = typo(rng, first);
  if (rng.chance(noise.typo)) last = typo(rng, last);
  if (rng.chance(noise.swappedNames)) [first, last] = [last, first];
  const address = person.previousAddress !== undefined && rng.chance(noise.oldAddress) ? person.previousAddress : person.address;
  const locality = address.locality;
  const includeAddress = !rng.chance(noise.missing.address);
  const line = streetLine(rng, address, noise);
  const suburb = rng.chance(noise.typo) ? typo(rng, locality.suburb) : locality.suburb;
  const phone = rng.chance(noise.missing.phone) ? undefined : noisyPhone(rng, person, noise);

  return {
    recordId,
    channel,
    ...(rng.chance(noise.missing.firstName) ? {} : { firstName: caseVariant(rng, first) }),
    ...(rng.chance(noise.missing.lastName) ? {} : { lastName: caseVariant(rng, last) }),
    ...(includeAddress
      ? {
          street: line.street,
          ...(line.line2 !== undefined ? { line2: line.line2 } : {}),
          city: caseVariant(rng, suburb.replace(/^Saint /u, rng.chance(0.5) ? 'St ' : 'Saint ')),
        }
      : {}),
    ...(rng.chance(noise.missing.postcode) ? {} : { postcode: locality.postcode }),
    ...(rng.chance(noise.missing.state) ? {} : { state: rng.chance(0.6) ? locality.state : locality.stateName }),
    ...(rng.chance(noise.missing.birthDate) ? {} : { birthDate: noisyBirthDate(rng, person.birthDate, noise) }),
    ...(phone !== undefined ? { phone } : {}),
    ...(person.nationalId !== undefined && !rng.chance(noise.missing.nationalId)
      ? {
          nationalId: rng.chance(0.03)
            ? typo(rng, person.nationalId)
            : rng.chance(0.5)
              ? person.nationalId.replace(/(\d{3})(\d{3})(\d{3})/u, '$1 $2 $3')
              : person.nationalId,
        }
      : {}),
  };
}

export interface TraitRecordsOptions {
  /** Mean records per person (at least one each; the rest Poisson). */
  readonly meanRecordsPerPerson: number;
  readonly maxRecordsPerPerson: number;
  readonly noise: TraitNoiseOptions;
}

export const defaultTraitRecordsOptions: TraitRecordsOptions = {
  meanRecordsPerPerson: 2,
  maxRecordsPerPerson: 6,
  noise: defaultTraitNoise,
};

export interface TraitRecordSet {
  /** In a shuffled order, as records arrive from many systems. */
  readonly records: readonly TraitRecord[];
  /** Ground truth: record id -> person id. */
  readonly personOf: ReadonlyMap<string, string>;
}

export function generateTraitRecords(
  rng: SeededRandom,
  people: readonly SyntheticPerson[],
  options: TraitRecordsOptions = defaultTraitRecordsOptions,
): TraitRecordSet {
  const slots: SyntheticPerson[] = [];
  for (const person of people) {
    const count = Math.min(options.maxRecordsPerPerson, 1 + rng.poisson(Math.max(0, options.meanRecordsPerPerson - 1)));
    for (let k = 0; k < count; k += 1) slots.push(person);
  }
  // Ids are handed out after shuffling so that neither order nor id betrays who is who.
  const records: TraitRecord[] = [];
  const personOf = new Map<string, string>();
  rng.shuffle(slots).forEach((person, index) => {
    const recordId = `r${String(index + 1).padStart(6, '0')}`;
    records.push(traitRecordOf(rng, person, recordId, options.noise));
    personOf.set(recordId, person.personId);
  });
  return { records, personOf };
}
