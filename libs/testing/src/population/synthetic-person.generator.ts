import { EMAIL_DOMAINS, GIVEN_NAMES, LOCALITIES, STREET_NAMES, STREET_TYPES, SURNAMES } from './population-data';
import { SeededRandom } from '@o2o/random';
import { Channel, CHANNELS, SyntheticAddress, SyntheticPerson } from './synthetic-person.model';

export interface PeopleOptions {
  readonly people: number;
  /** Share of people who live with others (sharing address, often surname and landline). */
  readonly householdShare: number;
  /** Share of people with an older address still on file somewhere. */
  readonly movedShare: number;
  /** Gamma(shape, scale) of yearly purchase rates and of mean order values. */
  readonly purchaseRate: { readonly shape: number; readonly scale: number };
  readonly orderValue: { readonly shape: number; readonly scale: number };
  /** Latest birth year (everyone is an adult customer). */
  readonly latestBirthYear: number;
}

export const defaultPeopleOptions: PeopleOptions = {
  people: 1000,
  householdShare: 0.45,
  movedShare: 0.08,
  purchaseRate: { shape: 1.2, scale: 2.5 },
  orderValue: { shape: 2.5, scale: 80 },
  latestBirthYear: 2006,
};

const givenWeights = GIVEN_NAMES.map((name) => [name, name.weight] as const);

function foldForEmail(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/gu, '');
}

class UniqueValues {
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const value of reserved) this.used.add(value);
  }

  draw(make: () => string): string {
    for (;;) {
      const value = make();
      if (!this.used.has(value)) {
        this.used.add(value);
        return value;
      }
    }
  }
}

function digits(rng: SeededRandom, count: number): string {
  return Array.from({ length: count }, () => String(rng.int(0, 9))).join('');
}

function drawAddress(rng: SeededRandom, withUnit: boolean): SyntheticAddress {
  return {
    ...(withUnit ? { unit: String(rng.int(1, 40)) } : {}),
    number: String(rng.int(1, 250)),
    streetName: rng.pick(STREET_NAMES),
    streetType: rng.pick(STREET_TYPES),
    locality: rng.pick(LOCALITIES),
  };
}

function drawBirthDate(rng: SeededRandom, fromYear: number, toYear: number): string {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  const day = rng.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function householdSize(rng: SeededRandom): number {
  return rng.weighted([
    [2, 55],
    [3, 25],
    [4, 20],
  ]);
}

/**
 * People grouped into households. Members of a household share the address and, when the
 * household has one, the landline; most share the surname. That is exactly the shape that tempts
 * a matcher into merging different people, so the evaluation is honest about it.
 */
export function generatePeople(rng: SeededRandom, options: PeopleOptions = defaultPeopleOptions): SyntheticPerson[] {
  const people: SyntheticPerson[] = [];
  // Numbers that identity rules commonly block as placeholders are never handed out.
  const phones = new UniqueValues(['0400000000', '0412345678']);
  const emails = new UniqueValues();
  const ids = new UniqueValues();
  let householdIndex = 0;

  while (people.length < options.people) {
    householdIndex += 1;
    const householdId = `h${String(householdIndex).padStart(5, '0')}`;
    const size = rng.chance(options.householdShare) ? Math.min(householdSize(rng), options.people - people.length) : 1;
    const address = drawAddress(rng, rng.chance(0.25));
    const landline = rng.chance(size > 1 ? 0.55 : 0.2)
      ? phones.draw(() => {
          const area = address.locality.areaCode;
          const lead = area === '7' ? '3' : area === '8' ? rng.pick(['8', '9']) : '9';
          return `0${area}${lead}${digits(rng, 7)}`;
        })
      : undefined;
    const surname = rng.weighted(SURNAMES);
    const car = rng.chance(0.5)
      ? ids.draw(
          () =>
            `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}${digits(rng, 2)}${String.fromCharCode(65 + rng.int(0, 25))}`,
        )
      : undefined;

    const householdNames = new Set<string>();
    for (let member = 0; member < size; member += 1) {
      const personIndex = people.length + 1;
      const personId = `p${String(personIndex).padStart(5, '0')}`;
      // Within a household first names differ: a parent and child sharing a full name exist,
      // but records that cannot tell them apart would only measure luck, not the matcher.
      let given = rng.weighted(givenWeights);
      while (householdNames.has(given.name)) given = rng.weighted(givenWeights);
      householdNames.add(given.name);
      // Partners keep their own surname a third of the time; children take the household's.
      const lastName = member === 1 && rng.chance(0.35) ? rng.weighted(SURNAMES) : surname;
      const isChild = member >= 2;
      const birthDate = isChild
        ? drawBirthDate(rng, options.latestBirthYear - 8, options.latestBirthYear)
        : drawBirthDate(rng, 1940, options.latestBirthYear - 10);
      const moved = rng.chance(options.movedShare);
      const channels = rng.shuffle(CHANNELS).slice(0, rng.int(1, 4)) as Channel[];
      const hasAccount = channels.includes('web') || channels.includes('app');
      const emailDomain = rng.weighted(EMAIL_DOMAINS);
      const email = rng.chance(0.85)
        ? emails.draw(() => {
            const first = foldForEmail(given.name);
            const last = foldForEmail(lastName);
            const local = rng.pick([
              `${first}.${last}`,
              `${first}${last}`,
              `${first[0] ?? ''}${last}`,
              `${first}_${last}`,
              `${first}${rng.int(1, 99)}`,
            ]);
            return `${local}${rng.chance(0.3) ? rng.int(1, 999) : ''}@${emailDomain}`;
          })
        : undefined;
      const nickname = given.nicknames.length > 0 && rng.chance(0.4) ? rng.pick(given.nicknames) : undefined;
      people.push({
        personId,
        householdId,
        firstName: given.name,
        ...(nickname !== undefined ? { nickname } : {}),
        lastName,
        birthDate,
        address,
        ...(moved ? { previousAddress: drawAddress(rng, rng.chance(0.25)) } : {}),
        ...(rng.chance(0.9) ? { mobile: phones.draw(() => `04${digits(rng, 8)}`) } : {}),
        ...(landline !== undefined ? { landline } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(hasAccount ? { userId: ids.draw(() => `usr-${digits(rng, 8)}`) } : {}),
        ...(channels.includes('call-centre') || rng.chance(0.3) ? { crmId: ids.draw(() => `CRM-${digits(rng, 7)}`) } : {}),
        ...(channels.includes('loyalty') || channels.includes('store') ? { loyaltyCard: ids.draw(() => `6001${digits(rng, 12)}`) } : {}),
        ...(car !== undefined && !isChild ? { licencePlate: car } : {}),
        ...(rng.chance(0.5) ? { nationalId: ids.draw(() => `${rng.int(1, 9)}${digits(rng, 8)}`) } : {}),
        devices: Array.from({ length: hasAccount ? rng.int(1, 3) : rng.int(0, 1) }, () => rng.uuid()),
        channels,
        purchaseRatePerYear: rng.gamma(options.purchaseRate.shape, 1 / options.purchaseRate.scale),
        meanOrderValue: rng.gamma(options.orderValue.shape, 1 / options.orderValue.scale),
      });
    }
  }
  return people;
}
