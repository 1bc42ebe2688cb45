import { describe, expect, it } from 'vitest';
import { axisTicks, niceMax, valueColumnWidth } from './charts';

describe('chart axes', () => {
  it('labels counts with whole numbers only', () => {
    expect(axisTicks(niceMax(1))).toEqual([0, 1]);
    expect(axisTicks(niceMax(4))).toEqual([0, 5]);
    expect(axisTicks(niceMax(7))).toEqual([0, 5, 10]);
    expect(axisTicks(niceMax(150))).toEqual([0, 100, 200]);
  });

  it('leaves room for the longest text at the bars ends, within limits', () => {
    expect(valueColumnWidth(['3'])).toBe(40);
    expect(valueColumnWidth(['2 · 35k px avg', '0 · 0 px avg'])).toBe(100);
    expect(valueColumnWidth(['x'.repeat(200)])).toBe(170);
  });
});
