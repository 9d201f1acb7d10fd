import { parseFullName } from 'parse-full-name';

export interface NameParts {
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName?: string;
}

// Only as much of an input as a name can be: beyond this it is not a name.
const MAX_NAME_LENGTH = 200;

/**
 * A full name as one string ("Alexander Pavlovich Vasiliev", "Vasiliev, Alexander", "Dr. Maria de
 * la Cruz Jr.") split into given, middle and family names with parse-full-name: titles and
 * suffixes dropped, family-name particles kept with the family name, "Last, First" understood.
 * A single word is taken as the family name, the part records are matched on first.
 */
export function splitFullName(raw: string): NameParts {
  const text = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (text === '' || text.length > MAX_NAME_LENGTH) return {};
  if (!text.includes(' ') && !text.includes(',')) return { lastName: text };
  const parsed = parseFullName(text, 'all', 0, 0, 0);
  const part = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
  const firstName = part(parsed.first);
  const lastName = part(parsed.last);
  const middleName = part(parsed.middle);
  if (firstName === undefined && lastName === undefined) return {};
  return {
    ...(firstName !== undefined ? { firstName } : {}),
    ...(middleName !== undefined ? { middleName } : {}),
    ...(lastName !== undefined ? { lastName } : {}),
  };
}

/** The display name of an address written "Maria Sentosa <msentosa@fmail.com>", if it has one. */
export function emailDisplayName(raw: string): string | undefined {
  const match = /^\s*"?([^"<>@]+?)"?\s*<[^<>]+@[^<>]+>\s*$/u.exec(raw);
  return match?.[1]?.trim() || undefined;
}
