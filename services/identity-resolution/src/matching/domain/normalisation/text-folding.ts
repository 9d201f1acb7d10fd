import { transliterate } from 'transliteration';

/**
 * Letters that Unicode decomposition does not split into a base letter plus marks, but that
 * people and legacy systems routinely write with their ASCII stand-ins.
 */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};
const SPECIAL_PATTERN = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'gu');
const COMBINING_MARKS = /\p{M}/gu;
const APOSTROPHES = /['’‘`´ʼ]/gu;

/** A letter of any script but Latin (Cyrillic, Greek, Han, Hangul, Arabic...). */
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;

/**
 * Lower-case, compatibility-decomposed, accent-free Latin text. Decomposition runs again after
 * lower-casing because some capitals lower-case to a letter plus a combining mark (İ -> i̇).
 * Text in another script is transliterated to Latin first (`transliteration`, after compatibility
 * composition, so a Kangxi radical and the ideograph it stands for read alike), so a name or address a channel keeps in its native script (Александр Васильев, 王小明) compares with the same
 * person's romanised records (aleksandr vasilev, wang xiao ming) instead of with nothing; the
 * same native text always gives the same Latin text, so native records still match each other.
 */
export function foldText(raw: string): string {
  const composed = raw.normalize('NFKC');
  return foldLatin(NON_LATIN_LETTER.test(composed) ? transliterate(composed) : composed);
}

function foldLatin(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(SPECIAL_PATTERN, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '');
}

/** Apostrophes join rather than split (O'Brien -> obrien, D’Angelo -> dangelo). */
export function dropApostrophes(text: string): string {
  return text.replace(APOSTROPHES, '');
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

export function tokens(text: string): string[] {
  const collapsed = collapseWhitespace(text);
  return collapsed === '' ? [] : collapsed.split(' ');
}
