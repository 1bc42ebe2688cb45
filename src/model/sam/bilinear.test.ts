import { describe, expect, it } from 'vitest';
import { axisRuns, axisTaps } from './bilinear.js';

/** Taps and runs of outputs [start, end) computed on the spot, one output at a time. */
function direct(inSize: number, scale: number, start: number, end: number) {
  const lo: number[] = [];
  const hi: number[] = [];
  const frac: number[] = [];
  for (let i = start; i < end; i++) {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    lo.push(Math.floor(s));
    hi.push(Math.min(Math.floor(s) + 1, inSize - 1));
    frac.push(s - Math.floor(s));
  }
  const runs: number[] = [];
  for (let i = 0; i < lo.length; i++) {
    if (i > 0 && lo[i] === lo[i - 1]) runs[runs.length - 3] = i + 1;
    else runs.push(i, i + 1, lo[i]!, hi[i]!);
  }
  return { lo, hi, frac, runs };
}

function expectDirect(inSize: number, scale: number, start: number, end: number): void {
  const label = `${inSize} ${scale} [${start}, ${end})`;
  const expected = direct(inSize, scale, start, end);
  const taps = axisTaps(inSize, scale, start, end);
  expect([...taps.lo], label).toEqual(expected.lo);
  expect([...taps.hi], label).toEqual(expected.hi);
  expect([...taps.frac], label).toEqual(expected.frac);
  expect([...axisRuns(inSize, scale, start, end)], label).toEqual(expected.runs);
}

describe('axisTaps and axisRuns (whole axes kept between calls)', () => {
  it('give every range of an axis as computed output by output', () => {
    // Ranges in an order that makes the kept axis grow, and ranges inside it afterwards.
    for (const [start, end] of [
      [0, 1],
      [3, 40],
      [0, 1024],
      [1000, 3000],
      [2999, 6000],
      [0, 6000],
      [17, 18],
      [5999, 6000],
      [250, 251],
    ] as const) {
      expectDirect(1024, 1024 / 6000, start, end);
      expectDirect(256, 0.25, start, end);
    }
  });

  it('stay right when more axes are asked for than are kept', () => {
    for (let round = 0; round < 2; round++) {
      for (let k = 1; k <= 12; k++) {
        expectDirect(40 + k, (40 + k) / (100 + 7 * k), round * k, 100 + 7 * k);
      }
    }
  });

  it('give nothing for an empty range, and clamp taps before the first output', () => {
    expect(axisTaps(10, 0.5, 4, 4).lo.length).toBe(0);
    expect(axisRuns(10, 0.5, 4, 4).length).toBe(0);
    expectDirect(10, 0.5, -3, 5);
  });
});
