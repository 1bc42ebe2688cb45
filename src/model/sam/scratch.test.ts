import { describe, expect, it } from 'vitest';
import { Scratch } from './scratch.js';

describe('Scratch', () => {
  it('hands out the same array while it is big enough, and a bigger one when not', () => {
    const scratch = new Scratch((n) => new Int32Array(n));
    const first = scratch.take(10);
    expect(first.length).toBeGreaterThanOrEqual(10);
    first[9] = 7;
    const again = scratch.take(4);
    expect(again).toBe(first);
    expect(again[9]).toBe(7);
    const bigger = scratch.take(first.length + 1);
    expect(bigger).not.toBe(first);
    expect(bigger.length).toBeGreaterThanOrEqual(first.length + 1);
    expect(scratch.take(0)).toBe(bigger);
  });

  it('does not keep a huge array: it is made for the call alone', () => {
    const scratch = new Scratch((n) => new Float64Array(n));
    const kept = scratch.take(100);
    const huge = scratch.take(1 << 20);
    expect(huge.length).toBe(1 << 20);
    expect(scratch.take(1 << 20)).not.toBe(huge);
    expect(scratch.take(100)).toBe(kept);
  });
});
