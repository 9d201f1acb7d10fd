import { dateFormat, emailVariant, mistypeDateDigit, phoneFormat, swapDayMonth, transposeDateDigits, typo } from './noise';
import { SeededRandom } from '@o2o/random';

describe('noise', () => {
  const rng = new SeededRandom(17);

  it('makes a single keying error', () => {
    for (let i = 0; i < 200; i += 1) {
      const noisy = typo(rng, 'Jonathan');
      expect(Math.abs(noisy.length - 'Jonathan'.length)).toBeLessThanOrEqual(1);
    }
    expect(typo(rng, 'Al')).toBe('Al');
  });

  it('keeps the address inside e-mail variants', () => {
    for (let i = 0; i < 20; i += 1) expect(emailVariant(rng, 'jane.doe@mail.com').trim().toLowerCase()).toBe('jane.doe@mail.com');
  });

  it('writes the same phone digits in every format', () => {
    for (let i = 0; i < 20; i += 1) {
      expect(phoneFormat(rng, '0412555123').replace(/\D/g, '').replace(/^61/, '0')).toBe('0412555123');
      expect(phoneFormat(rng, '0298765432').replace(/\D/g, '').replace(/^61/, '0')).toBe('0298765432');
    }
  });

  it('writes dates in day-first and named-month forms', () => {
    const formats = new Set(Array.from({ length: 100 }, () => dateFormat(rng, '1984-03-07')));
    expect(formats).toEqual(
      new Set(['07/03/1984', '7/3/1984', '1984-03-07', '07.03.1984', '7 March 1984', '7 Mar 1984', 'March 7, 1984', '07-03-1984']),
    );
  });

  it('swaps, transposes and mistypes birth dates into other valid dates', () => {
    expect(swapDayMonth('1984-03-07')).toBe('1984-07-03');
    expect(swapDayMonth('1984-03-25')).toBeUndefined();
    expect(mistypeDateDigit('1984-03-19')).toBe('1984-03-18');
    for (let i = 0; i < 50; i += 1) {
      const transposed = transposeDateDigits(rng, '1984-03-12');
      expect(['1984-03-21', '1948-03-12', undefined]).toContain(transposed);
    }
  });
});
