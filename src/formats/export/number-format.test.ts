import { describe, expect, it } from 'vitest';
import { fixed6, toFixedHalfEven } from './number-format.js';

describe('toFixedHalfEven', () => {
  // Expected strings are what CPython prints for f"{x:.{digits}f}".
  it.each([
    [1 / 128, 6, '0.007812'], // exact tie, lower neighbour even: toFixed says 0.007813
    [3 / 128, 6, '0.023438'], // exact tie, lower neighbour odd: rounds up like toFixed
    [5 / 128, 6, '0.039062'],
    [5e-7, 6, '0.000000'], // not a tie: the double is just below 0.0000005
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [-2.5, 0, '-2'],
    [-1 / 128, 6, '-0.007812'],
    [1 / 3, 6, '0.333333'],
    [0, 6, '0.000000'],
    [1, 6, '1.000000'],
    [123456.0000005, 6, '123456.000001'], // the double is just above the tie,
  ])('%d to %d decimals is %s', (value, digits, text) => {
    expect(toFixedHalfEven(value, digits)).toBe(text);
  });

  it('agrees with toFixed wherever there is no exact tie', () => {
    for (let i = 0; i <= 1000; i++) {
      const v = i / 997;
      expect(fixed6(v)).toBe(v.toFixed(6));
    }
  });

  it('leaves non-finite values as toFixed writes them', () => {
    expect(toFixedHalfEven(Number.NaN, 6)).toBe('NaN');
    expect(toFixedHalfEven(Infinity, 6)).toBe('Infinity');
  });
});

describe('toFixedHalfEven beyond the float shortcut', () => {
  it('finds exact ties whose scaled value passes 2^53', () => {
    // 5e9 + 1/128: value * 2e6 is about 1e16, past 2^53; CPython prints the even neighbour.
    expect(toFixedHalfEven(5e9 + 1 / 128, 6)).toBe('5000000000.007812');
    expect(toFixedHalfEven(5e9 + 3 / 128, 6)).toBe('5000000000.023438');
  });
});
