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

/**
 * Lower-case, compatibility-decomposed, accent-free text. Decomposition runs again after
 * lower-casing because some capitals lower-case to a letter plus a combining mark (İ -> i̇).
 */
export function foldText(raw: string): string {
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
