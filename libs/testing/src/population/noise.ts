import { KEYBOARD_NEIGHBOURS } from './population-data';
import { SeededRandom } from '@o2o/random';

/**
 * One keying error of the kinds people make: a neighbouring key, a dropped letter, a doubled
 * letter, two letters swapped. The first letter is spared most of the time, as it is in real
 * data (people rarely mistype the start of their own name).
 */
export function typo(rng: SeededRandom, text: string): string {
  if (text.length < 3) return text;
  const start = rng.chance(0.9) ? 1 : 0;
  const position = rng.int(start, text.length - 2);
  const char = text[position] ?? '';
  const lower = char.toLowerCase();
  const kind = rng.int(0, 3);
  if (kind === 0) {
    const neighbours = KEYBOARD_NEIGHBOURS[lower];
    if (neighbours === undefined) return text;
    const replacement = rng.pick([...neighbours]);
    const cased = char === lower ? replacement : replacement.toUpperCase();
    return text.slice(0, position) + cased + text.slice(position + 1);
  }
  if (kind === 1) return text.slice(0, position) + text.slice(position + 1);
  if (kind === 2) return text.slice(0, position) + char + text.slice(position);
  const next = text[position + 1] ?? '';
  return text.slice(0, position) + next + char + text.slice(position + 2);
}

/** How the same name arrives from different forms: as typed, shouted, or lower-cased. */
export function caseVariant(rng: SeededRandom, text: string): string {
  return rng.weighted<string>([
    [text, 8],
    [text.toUpperCase(), 1],
    [text.toLowerCase(), 1],
  ]);
}

/** The same address with surrounding whitespace or different capitalisation. */
export function emailVariant(rng: SeededRandom, email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return rng.pick([
    email.toUpperCase(),
    ` ${email} `,
    `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain}`,
    `${email}\t`,
    `${local}@${domain.toUpperCase()}`,
  ]);
}

/** A national Australian number (10 digits starting 0) as a channel might write it. */
export function phoneFormat(rng: SeededRandom, national: string): string {
  const digits = national.replace(/\D/gu, '');
  const rest = digits.slice(1);
  if (digits.startsWith('04')) {
    return rng.pick([
      `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`,
      digits,
      `+61 ${rest.slice(0, 3)} ${rest.slice(3, 6)} ${rest.slice(6)}`,
      `+61${rest}`,
      `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`,
    ]);
  }
  return rng.pick([
    `(${digits.slice(0, 2)}) ${digits.slice(2, 6)} ${digits.slice(6)}`,
    `${digits.slice(0, 2)} ${digits.slice(2, 6)} ${digits.slice(6)}`,
    digits,
    `+61 ${rest.slice(0, 1)} ${rest.slice(1, 5)} ${rest.slice(5)}`,
  ]);
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** An ISO date written the way day-first forms and systems write birth dates. */
export function dateFormat(rng: SeededRandom, iso: string): string {
  const [year = '', month = '', day = ''] = iso.split('-');
  const d = String(Number(day));
  const m = Number(month);
  const monthName = MONTH_NAMES[m - 1] ?? '';
  return rng.pick([
    `${day}/${month}/${year}`,
    `${d}/${m}/${year}`,
    iso,
    `${day}.${month}.${year}`,
    `${d} ${monthName} ${year}`,
    `${d} ${monthName.slice(0, 3)} ${year}`,
    `${monthName} ${d}, ${year}`,
    `${day}-${month}-${year}`,
  ]);
}

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Day and month exchanged (a month-first habit in a day-first form); undefined if impossible. */
export function swapDayMonth(iso: string): string | undefined {
  const [year, month, day] = iso.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined || day === month || day > 12) return undefined;
  return isoDate(year, day, month);
}

/** Two adjacent digits of the day or the year's last two digits exchanged (1984 -> 1948). */
export function transposeDateDigits(rng: SeededRandom, iso: string): string | undefined {
  const [year, month, day] = iso.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (rng.chance(0.5)) {
    const dd = String(day).padStart(2, '0');
    return isoDate(year, month, Number(`${dd[1]}${dd[0]}`));
  }
  const yy = String(year % 100).padStart(2, '0');
  return isoDate(year - (year % 100) + Number(`${yy[1]}${yy[0]}`), month, day);
}

/** The last digit of the day mistyped by one (19 -> 18, 20 -> 21). */
export function mistypeDateDigit(iso: string): string | undefined {
  const [year, month, day] = iso.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  return isoDate(year, month, day % 10 === 9 ? day - 1 : day + 1);
}
