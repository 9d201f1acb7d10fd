// talisman ships no type declarations; these cover only the three CommonJS modules we load.
declare module 'talisman/metrics/jaro-winkler' {
  function jaroWinkler(a: string, b: string): number;
  export = jaroWinkler;
}

declare module 'talisman/metrics/damerau-levenshtein' {
  function damerauLevenshtein(a: string, b: string): number;
  export = damerauLevenshtein;
}

declare module 'talisman/phonetics/double-metaphone' {
  function doubleMetaphone(word: string): [string, string];
  export = doubleMetaphone;
}
