import { describe, expect, it } from 'vitest';
import { resampleBilinear } from './resample-bilinear.js';

/** A one-row grey image from levels (each repeated on R, G and B). */
function row(levels: number[]) {
  return { width: levels.length, height: 1, data: Buffer.from(levels.flatMap((v) => [v, v, v])) };
}

function reds(image: { data: Buffer }): number[] {
  return [...image.data].filter((_, i) => i % 3 === 0);
}

describe('resampleBilinear (Pillow BILINEAR)', () => {
  it('enlarges with pixel centres at (x + 0.5) * scale and clamped edges', () => {
    // Hand-computed: centres 0.25, 0.75, 1.25, 1.75 -> weights (1, 0), (.75, .25), (.25, .75), (0, 1).
    expect(reds(resampleBilinear(row([0, 100]), 4, 1))).toEqual([0, 25, 75, 100]);
  });

  it('shrinks with a triangle filter widened by the scale', () => {
    // 4 -> 2, scale 2, inputs [0, 40, 80, 120], weights renormalised to sum 1:
    //   centre 1: taps i=0,1,2 -> t = |i - 1 + .5| / 2 = .25, .25, .75 -> w = .75, .75, .25 -> /1.75
    //   (0 * .75 + 40 * .75 + 80 * .25) / 1.75 = 28.57 -> 29
    //   centre 3: taps i=1,2,3 -> w = .25, .75, .75 -> (10 + 60 + 90) / 1.75 = 91.43 -> 91
    expect(reds(resampleBilinear(row([0, 40, 80, 120]), 2, 1))).toEqual([29, 91]);
  });

  it('keeps a flat picture flat and resizes each axis independently', () => {
    const flat = { width: 3, height: 2, data: Buffer.alloc(3 * 2 * 3, 77) };
    const out = resampleBilinear(flat, 7, 5);
    expect(out.width).toBe(7);
    expect(out.height).toBe(5);
    expect(out.data.length).toBe(7 * 5 * 3);
    expect(new Set(out.data)).toEqual(new Set([77]));
  });

  it('returns the same pixels when the size does not change', () => {
    const image = row([1, 2, 3]);
    expect(resampleBilinear(image, 3, 1)).toBe(image);
  });
});
