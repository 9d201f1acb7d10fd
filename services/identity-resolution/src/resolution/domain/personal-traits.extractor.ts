import {
  countryOfEvent,
  emailDisplayName,
  PersonalTraits,
  SegmentLikeEvent,
  splitFreeTextAddress,
  splitFullName,
} from '../../matching/domain';

function objectAt(value: unknown, key: string): Readonly<Record<string, unknown>> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

function text(source: Readonly<Record<string, unknown>> | undefined, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = source?.[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

function displayNameOf(email: unknown): string | undefined {
  return typeof email === 'string' ? emailDisplayName(email) : undefined;
}

/**
 * The personal traits of an event, as Segment's reserved traits name them (firstName, lastName,
 * birthday, phone, address.{street, city, postalCode, state, country}) plus the flat spellings
 * record-style sources use. Traits of the call win over context.traits. Undefined when the
 * event says too little about a person to be compared: a name or birth date and one more fact.
 */
export function personalTraitsOf(event: SegmentLikeEvent): PersonalTraits | undefined {
  const traits = { ...(objectAt(event.context, 'traits') ?? {}), ...(event.traits ?? {}) };
  const address = objectAt(traits, 'address');
  // A name given whole (Segment's "name" trait, or the display name of an e-mail) is split when
  // the parts are not given on their own.
  const fullName = text(traits, 'name', 'fullName', 'full_name') ?? displayNameOf(traits['email']);
  const nameParts = fullName !== undefined ? splitFullName(fullName) : {};
  // An address given as one line of text instead of Segment's address object.
  const line = typeof traits['address'] === 'string' ? splitFreeTextAddress(traits['address']) : {};
  const result: PersonalTraits = {
    firstName: text(traits, 'firstName', 'first_name') ?? nameParts.firstName,
    lastName: text(traits, 'lastName', 'last_name') ?? nameParts.lastName,
    street: text(address, 'street', 'line1') ?? text(traits, 'street') ?? line.street,
    line2: text(address, 'line2') ?? text(traits, 'line2') ?? line.line2,
    city: text(address, 'city', 'suburb') ?? text(traits, 'city', 'suburb') ?? line.city,
    postcode:
      text(address, 'postalCode', 'postcode', 'postal_code') ?? text(traits, 'postcode', 'postalCode', 'postal_code') ?? line.postcode,
    state: text(address, 'state') ?? text(traits, 'state') ?? line.state,
    country: countryOfEvent(event),
    birthDate: text(traits, 'birthday', 'birthDate', 'birth_date'),
    phone: text(traits, 'phone'),
    nationalId: text(traits, 'nationalId'),
  };
  const facts = [result.lastName, result.firstName, result.birthDate, result.street, result.phone, result.nationalId].filter(
    (value) => value !== undefined,
  );
  // A name or a birth date says who; a street or phone alone says only where.
  if (result.lastName === undefined && result.firstName === undefined && result.birthDate === undefined) return undefined;
  return facts.length >= 2 ? result : undefined;
}
