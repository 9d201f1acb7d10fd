import { NormalisationResult, normalisationFailure, normalised } from './normalisation-result.model';

export interface BirthDateNormaliserOptions {
  /**
   * How to read an ambiguous 03/04/1985. Day-first is the default outside North America; a
   * value whose first number exceeds 12 is read day-first whatever this says.
   */
  readonly dayFirst: boolean;
  /**
   * Two-digit years below this are 20xx, the rest 19xx. A fixed pivot keeps the function pure
   * (no clock); the service sets it from configuration.
   */
  readonly twoDigitYearPivot: number;
  readonly minYear: number;
  /** Latest acceptable date (ISO yyyy-mm-dd), typically today; absent means no upper bound. */
  readonly notAfter?: string;
}

export const defaultBirthDateNormaliserOptions: BirthDateNormaliserOptions = {
  dayFirst: true,
  twoDigitYearPivot: 30,
  minYear: 1900,
};

const MONTHS: ReadonlyArray<readonly [string, number]> = [
  ['jan', 1],
  ['feb', 2],
  ['mar', 3],
  ['apr', 4],
  ['may', 5],
  ['jun', 6],
  ['jul', 7],
  ['aug', 8],
  ['sep', 9],
  ['oct', 10],
  ['nov', 11],
  ['dec', 12],
];
const SEP = '[\\s./-]+';
const ISO_LIKE = new RegExp(`^(\\d{4})${SEP}(\\d{1,2})${SEP}(\\d{1,2})$`, 'u');
const NUMERIC = new RegExp(`^(\\d{1,2})${SEP}(\\d{1,2})${SEP}(\\d{2}|\\d{4})$`, 'u');
const DAY_MONTH_NAME = /^(\d{1,2})(?:st|nd|rd|th)?[\s./,-]*([a-z]{3,9})\.?[\s./,-]*(\d{2}|\d{4})$/u;
const MONTH_NAME_DAY = /^([a-z]{3,9})\.?[\s./-]*(\d{1,2})(?:st|nd|rd|th)?[\s,./-]+(\d{2}|\d{4})$/u;
const COMPACT = /^(\d{8})$/u;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[t\s]\d{2}:\d{2}/u;

interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function monthFromName(name: string): number | undefined {
  const prefix = name.slice(0, 3);
  const match = MONTHS.find(([abbreviation]) => abbreviation === prefix);
  if (match === undefined) return undefined;
  // Accept "mar", "march", "sept" but not "marble": the rest must continue the month's name.
  const full =
    ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][
      match[1] - 1
    ] ?? '';
  return full.startsWith(name) || name === 'sept' ? match[1] : undefined;
}

function expandYear(text: string, pivot: number): number {
  const year = Number(text);
  if (text.length === 4) return year;
  return year < pivot ? 2000 + year : 1900 + year;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Computed by hand: Date.UTC maps years 0-99 to 1900-1999 and would get their leap years wrong.
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function parseParts(text: string, options: BirthDateNormaliserOptions): DateParts | undefined {
  const isoDateTime = ISO_DATETIME.exec(text);
  const dateText = isoDateTime?.[1] ?? text;

  const iso = ISO_LIKE.exec(dateText);
  if (iso !== null) return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };

  const numeric = NUMERIC.exec(dateText);
  if (numeric !== null) {
    const first = Number(numeric[1]);
    const second = Number(numeric[2]);
    const year = expandYear(numeric[3] ?? '', options.twoDigitYearPivot);
    const dayFirst = first > 12 ? true : second > 12 ? false : options.dayFirst;
    return dayFirst ? { year, month: second, day: first } : { year, month: first, day: second };
  }

  const dayMonth = DAY_MONTH_NAME.exec(dateText);
  if (dayMonth !== null) {
    const month = monthFromName(dayMonth[2] ?? '');
    if (month === undefined) return undefined;
    return { year: expandYear(dayMonth[3] ?? '', options.twoDigitYearPivot), month, day: Number(dayMonth[1]) };
  }

  const monthDay = MONTH_NAME_DAY.exec(dateText);
  if (monthDay !== null) {
    const month = monthFromName(monthDay[1] ?? '');
    if (month === undefined) return undefined;
    return { year: expandYear(monthDay[3] ?? '', options.twoDigitYearPivot), month, day: Number(monthDay[2]) };
  }

  const compact = COMPACT.exec(dateText);
  if (compact !== null) {
    const digits = compact[1] ?? '';
    const yearFirst = { year: Number(digits.slice(0, 4)), month: Number(digits.slice(4, 6)), day: Number(digits.slice(6, 8)) };
    if (isCalendarDate(yearFirst)) return yearFirst;
    const a = Number(digits.slice(0, 2));
    const b = Number(digits.slice(2, 4));
    const year = Number(digits.slice(4, 8));
    return options.dayFirst ? { year, month: b, day: a } : { year, month: a, day: b };
  }
  return undefined;
}

function isCalendarDate(parts: DateParts): boolean {
  return (
    Number.isInteger(parts.year) &&
    parts.month >= 1 &&
    parts.month <= 12 &&
    parts.day >= 1 &&
    parts.day <= daysInMonth(parts.year, parts.month)
  );
}

function toIso(parts: DateParts): string {
  return `${String(parts.year).padStart(4, '0')}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`;
}

/** Birth date as ISO yyyy-mm-dd from the formats channels actually send. */
export function normaliseBirthDate(
  raw: string,
  options: BirthDateNormaliserOptions = defaultBirthDateNormaliserOptions,
): NormalisationResult<string> {
  const text = raw.trim().toLowerCase();
  if (text === '') return normalisationFailure('birthDate', 'empty', 'no date');
  if (text.length > 40) return normalisationFailure('birthDate', 'invalid_format', 'longer than 40 characters');
  const parts = parseParts(text, options);
  if (parts === undefined) return normalisationFailure('birthDate', 'invalid_format', 'unrecognised date format');
  if (!isCalendarDate(parts)) return normalisationFailure('birthDate', 'invalid_value', 'no such calendar date');
  const iso = toIso(parts);
  if (parts.year < options.minYear) return normalisationFailure('birthDate', 'out_of_range', `before ${options.minYear}`);
  if (options.notAfter !== undefined && iso > options.notAfter) {
    return normalisationFailure('birthDate', 'out_of_range', `after ${options.notAfter}`);
  }
  return normalised(iso);
}

/** Splits an ISO date produced by normaliseBirthDate; undefined for anything else. */
export function birthDateParts(iso: string): DateParts | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (match === null) return undefined;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}
