import damerauLevenshteinImpl from 'talisman/metrics/damerau-levenshtein';
import jaroWinklerImpl from 'talisman/metrics/jaro-winkler';
import doubleMetaphoneImpl from 'talisman/phonetics/double-metaphone';

/**
 * Jaro-Winkler similarity in [0, 1]. Arguments are put in a fixed order first: greedy
 * character matching in Jaro can differ in rare cases when the arguments are swapped, and the
 * scorer must be symmetric.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a === '' || b === '') return 0;
  return a < b ? jaroWinklerImpl(a, b) : jaroWinklerImpl(b, a);
}

/** Edits (insert, delete, substitute, swap two adjacent characters) between two strings. */
export function damerauLevenshtein(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? damerauLevenshteinImpl(a, b) : damerauLevenshteinImpl(b, a);
}

/**
 * Primary and alternate Double Metaphone codes of a (normalised) name, spaces removed so that
 * "van der berg" and "vanderberg" sound alike. Empty codes mean "no phonetic evidence".
 */
export function doubleMetaphone(name: string): readonly [string, string] {
  const compact = name.replace(/[^a-z]/gu, '');
  if (compact === '') return ['', ''];
  const [primary, alternate] = doubleMetaphoneImpl(compact);
  return [primary, alternate];
}

export function phoneticallyEqual(a: readonly [string, string], b: readonly [string, string]): boolean {
  const codesA = a.filter((code) => code !== '');
  const codesB = b.filter((code) => code !== '');
  return codesA.some((code) => codesB.includes(code));
}
