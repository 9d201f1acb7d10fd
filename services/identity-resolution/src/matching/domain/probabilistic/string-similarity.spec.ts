import fc from 'fast-check';
import { damerauLevenshtein, doubleMetaphone, jaroWinkler, phoneticallyEqual } from './string-similarity';

describe('string similarity adapters (talisman)', () => {
  it('scores Jaro-Winkler in [0, 1] with the textbook values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('same', 'same')).toBe(1);
    expect(jaroWinkler('', 'x')).toBe(0);
  });

  it('is symmetric on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => expect(jaroWinkler(a, b)).toBe(jaroWinkler(b, a))));
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => expect(damerauLevenshtein(a, b)).toBe(damerauLevenshtein(b, a))));
  });

  it('counts an adjacent swap as one edit', () => {
    expect(damerauLevenshtein('19840307', '19840370')).toBe(1);
    expect(damerauLevenshtein('abc', 'abd')).toBe(1);
  });

  it('codes names that sound alike the same way', () => {
    expect(phoneticallyEqual(doubleMetaphone('smith'), doubleMetaphone('smyth'))).toBe(true);
    expect(phoneticallyEqual(doubleMetaphone('catherine'), doubleMetaphone('kathryn'))).toBe(true);
    expect(phoneticallyEqual(doubleMetaphone('van der berg'), doubleMetaphone('vanderberg'))).toBe(true);
    expect(phoneticallyEqual(doubleMetaphone('smith'), doubleMetaphone('jones'))).toBe(false);
  });

  it('gives no phonetic evidence for names without latin letters', () => {
    expect(doubleMetaphone('123')).toEqual(['', '']);
    expect(phoneticallyEqual(doubleMetaphone('иван'), doubleMetaphone('петров'))).toBe(false);
  });
});
