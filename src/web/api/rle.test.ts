import { describe, expect, it } from 'vitest';
import { countsFromString, createBitmap, encodeMask, type Bitmap } from '../../geometry/index.js';
import { decodeCounts, rasterizeRle, rleContains, rleCounts, RleDecodeError } from './rle';
import type { Rle } from './types';

/** Deterministic pseudo-random masks: blobs, stripes, empty and full. */
function randomMask(width: number, height: number, seed: number, density: number): Bitmap {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const mask = createBitmap(width, height);
  // Runs along rows so the column-major runs vary in length.
  let on = rand() < density;
  for (let i = 0; i < width * height; i++) {
    if (rand() < 0.08) on = rand() < density;
    mask.data[i] = on ? 1 : 0;
  }
  return mask;
}

function asRle(mask: Bitmap): Rle {
  const encoded = encodeMask(mask);
  return { size: [encoded.size[0], encoded.size[1]], counts: encoded.counts };
}

describe('decodeCounts', () => {
  it('matches the geometry decoder on strings the geometry encoder wrote', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const w = 1 + (seed % 17) * 3;
      const h = 1 + ((seed * 7) % 23);
      const rle = asRle(randomMask(w, h, seed, seed % 5 === 0 ? 1 : 0.4));
      expect(Array.from(decodeCounts(rle.counts))).toEqual(
        Array.from(countsFromString(rle.counts)),
      );
    }
  });

  it('reads large counts (a 2^31-pixel run needs several groups)', () => {
    const w = 5000;
    const h = 4000;
    const full = createBitmap(w, h);
    full.data.fill(1);
    const rle = asRle(full);
    expect(Array.from(decodeCounts(rle.counts))).toEqual([0, w * h]);
  });

  it('names the bad character and its position', () => {
    expect(() => decodeCounts('01~')).toThrow(/character "~" at position 2/);
    expect(() => decodeCounts('0o')).toThrow(RleDecodeError);
  });

  it('rejects counts that do not fill the stated size', () => {
    const rle = asRle(randomMask(8, 6, 3, 0.5));
    expect(() => rleCounts({ size: [6, 9], counts: rle.counts })).toThrow(
      /add up to 48 pixels but size \[6, 9\] holds 54/,
    );
  });
});

describe('rasterizeRle', () => {
  it('gives back the encoded mask, row-major, pixel for pixel', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const w = 2 + (seed % 13) * 5;
      const h = 2 + ((seed * 5) % 19);
      const mask = randomMask(w, h, seed * 31, 0.5);
      const out = rasterizeRle(asRle(mask));
      expect(out.width).toBe(w);
      expect(out.height).toBe(h);
      expect(Array.from(out.data)).toEqual(Array.from(mask.data));
    }
  });

  it('crops a region and samples every step-th pixel', () => {
    const w = 37;
    const h = 29;
    const mask = randomMask(w, h, 99, 0.5);
    const rle = asRle(mask);
    for (const region of [
      { x: 5, y: 3, width: 20, height: 11, step: 1 },
      { x: 0, y: 0, width: w, height: h, step: 3 },
      { x: 7, y: 2, width: 30, height: 27, step: 4 },
      { x: 36, y: 28, width: 1, height: 1, step: 1 },
    ]) {
      const out = rasterizeRle(rle, region);
      const xEnd = Math.min(w, region.x + region.width);
      const yEnd = Math.min(h, region.y + region.height);
      expect(out.width).toBe(Math.ceil(region.width / region.step));
      for (let j = 0; j < out.height; j++) {
        for (let i = 0; i < out.width; i++) {
          const x = region.x + i * region.step;
          const y = region.y + j * region.step;
          const expected = x < xEnd && y < yEnd ? mask.data[y * w + x] : 0;
          expect(out.data[j * out.width + i], `sample (${i}, ${j}) = pixel (${x}, ${y})`).toBe(
            expected,
          );
        }
      }
    }
  });
});

describe('rleContains', () => {
  it('uses continuous coordinates: pixel (i, j) covers [i, i+1) x [j, j+1)', () => {
    const mask = createBitmap(6, 4);
    mask.data[2 * 6 + 3] = 1; // pixel (3, 2)
    const rle = asRle(mask);
    expect(rleContains(rle, 3, 2)).toBe(true);
    expect(rleContains(rle, 3.999, 2.999)).toBe(true);
    expect(rleContains(rle, 4, 2)).toBe(false);
    expect(rleContains(rle, 2.999, 2.5)).toBe(false);
    expect(rleContains(rle, -0.5, 0)).toBe(false);
  });

  it('agrees with the bitmap on every pixel', () => {
    const mask = randomMask(23, 17, 5, 0.5);
    const rle = asRle(mask);
    for (let y = 0; y < 17; y++) {
      for (let x = 0; x < 23; x++) {
        expect(rleContains(rle, x + 0.5, y + 0.5)).toBe(mask.data[y * 23 + x] === 1);
      }
    }
  });
});
