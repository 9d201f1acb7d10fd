import { PersonalTraits, SegmentLikeEvent } from '../../matching/domain';

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

/**
 * The personal traits of an event, as Segment's reserved traits name them (firstName, lastName,
 * birthday, phone, address.{street, city, postalCode, state, country}) plus the flat spellings
 * record-style sources use. Traits of the call win over context.traits. Undefined when the
 * event says too little about a person to be compared: a name or birth date and one more fact.
 */
export function personalTraitsOf(event: SegmentLikeEvent): PersonalTraits | undefined {
  const traits = { ...(objectAt(event.context, 'traits') ?? {}), ...(event.traits ?? {}) };
  const address = objectAt(traits, 'address');
  const result: PersonalTraits = {
    firstName: text(traits, 'firstName', 'first_name'),
    lastName: text(traits, 'lastName', 'last_name'),
    street: text(address, 'street', 'line1') ?? text(traits, 'street'),
    line2: text(address, 'line2') ?? text(traits, 'line2'),
    city: text(address, 'city', 'suburb') ?? text(traits, 'city', 'suburb'),
    postcode: text(address, 'postalCode', 'postcode', 'postal_code') ?? text(traits, 'postcode', 'postalCode', 'postal_code'),
    state: text(address, 'state') ?? text(traits, 'state'),
    country: text(address, 'country') ?? text(traits, 'country'),
    birthDate: text(traits, 'birthday', 'birthDate', 'birth_date'),
    phone: text(traits, 'phone'),
    nationalId: text(traits, 'nationalId'),
  };
  const facts = [result.lastName, result.firstName, result.birthDate, result.street, result.phone, result.nationalId].filter((value) => value !== undefined);
  // A name or a birth date says who; a street or phone alone says only where.
  if (result.lastName === undefined && result.firstName === undefined && result.birthDate === undefined) return undefined;
  return facts.length >= 2 ? result : undefined;
}
