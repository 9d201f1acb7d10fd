import { canonicalGivenName } from './nickname.table';
import { NormalisationResult, normalisationFailure, normalised } from './normalisation-result.model';
import { dropApostrophes, foldText, tokens } from './text-folding';

export interface NameNormaliserOptions {
  /** Drop leading titles (mr, dr, ...): channels fill the name field inconsistently with them. */
  readonly stripHonorifics: boolean;
  /** Drop generational suffixes (jr, iii): rarely captured consistently across channels. */
  readonly stripSuffixes: boolean;
}

export const defaultNameNormaliserOptions: NameNormaliserOptions = { stripHonorifics: true, stripSuffixes: true };

const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev', 'fr', 'lady', 'lord']);
const SUFFIXES = new Set(['jr', 'jnr', 'sr', 'snr', 'ii', 'iii', 'iv', 'esq', 'phd', 'md']);
// Only letters survive: digits and symbols in a name field are data-entry noise.
const NOT_A_LETTER = /[^\p{L}]+/gu;

/**
 * Lower-case, accent-free, punctuation-free name with single spaces ("Anne-Marie  O'Brien" ->
 * "anne marie obrien"). Hyphens become spaces so that hyphenated and spaced spellings agree.
 */
export function normaliseName(raw: string, options: NameNormaliserOptions = defaultNameNormaliserOptions): NormalisationResult<string> {
  const words = tokens(dropApostrophes(foldText(raw)).replace(NOT_A_LETTER, ' '));
  // Titles and suffixes are removed only while a real name remains, so "Miss" alone is kept
  // rather than turned into an empty name, and a second pass finds nothing more to remove.
  if (options.stripHonorifics) {
    while (words.length > 1 && HONORIFICS.has(words[0] ?? '')) words.shift();
  }
  if (options.stripSuffixes) {
    while (words.length > 1 && SUFFIXES.has(words[words.length - 1] ?? '')) words.pop();
  }
  if (words.length === 0) return normalisationFailure('name', 'empty', 'no letters in name');
  return normalised(words.join(' '));
}

/** A given name normalised and then mapped through the nickname table (bill -> william). */
export function normaliseGivenName(
  raw: string,
  options: NameNormaliserOptions = defaultNameNormaliserOptions,
): NormalisationResult<{ readonly name: string; readonly canonical: string }> {
  const result = normaliseName(raw, options);
  if (!result.ok) return result;
  return normalised({ name: result.value, canonical: canonicalGivenName(result.value) });
}
