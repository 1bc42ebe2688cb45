import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  createBitmap,
  decodeRle,
  encodeMask,
  type Bitmap,
} from '../../geometry/index.js';
import { cleanMask } from './mask-cleanup.js';
import { removeSmallRegions } from './small-regions.js';
import { randomBlobMask } from './test-masks.js';

/** The reference's steps on the whole picture: holes, then islands. */
function wholePictureCleanup(mask: Bitmap, minArea: number): { mask: Bitmap; changed: boolean } {
  const filled = removeSmallRegions(mask, minArea, 'holes');
  const trimmed = removeSmallRegions(filled.mask, minArea, 'islands');
  return { mask: trimmed.mask, changed: filled.changed || trimmed.changed };
}

function check(mask: Bitmap, minArea: number): boolean {
  const size = { width: mask.width, height: mask.height };
  const input = { rle: encodeMask(mask), bbox: bitmapBbox(mask), area: bitmapArea(mask) };
  const result = cleanMask(input, size, minArea);
  const expected = wholePictureCleanup(mask, minArea);
  const decoded = decodeRle(result.rle);
  expect(bitmapEquals(decoded, expected.mask)).toBe(true);
  expect(result.changed).toBe(expected.changed);
  expect(result.bbox).toEqual(bitmapBbox(decoded));
  expect(result.area).toBe(bitmapArea(decoded));
  return result.changed;
}

describe('cleanMask', () => {
  it('gives what the whole-picture cleanup gives, working on the mask box', () => {
    let changed = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const inset = seed % 3 === 0 ? 0 : 2;
      const mask = randomBlobMask(48, 36, seed, inset);
      if (bitmapArea(mask) === 0) continue;
      for (const minArea of [2, 6, 25]) if (check(mask, minArea)) changed++;
    }
    // The random masks do have holes and islands to clean.
    expect(changed).toBeGreaterThan(30);
  });

  it('gives what the whole-picture cleanup gives for masks that nearly fill the picture', () => {
    // Inverted blobs with the left column and bottom row cleared: the background outside the
    // box is an L of 83 pixels, above some areas tried and below others.
    let changed = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const mask = randomBlobMask(48, 36, seed);
      for (let i = 0; i < mask.data.length; i++) mask.data[i] = mask.data[i] ? 0 : 1;
      for (let y = 0; y < 36; y++) mask.data[y * 48] = 0;
      mask.data.fill(0, 35 * 48);
      if (bitmapArea(mask) === 0) continue;
      for (const minArea of [3, 25, 100]) if (check(mask, minArea)) changed++;
    }
    expect(changed).toBeGreaterThan(10);
  });

  it('fills a background strip between the mask box and the picture edge when it is small', () => {
    // The box leaves a 1-pixel column at the left: that "outside" is only 6 pixels.
    const mask = createBitmap(8, 6);
    for (let y = 0; y < 6; y++) for (let x = 1; x < 8; x++) mask.data[y * 8 + x] = 1;
    mask.data[2 * 8 + 4] = 0;
    expect(check(mask, 7)).toBe(true);
    expect(
      bitmapArea(
        decodeRle(
          cleanMask(
            { rle: encodeMask(mask), bbox: bitmapBbox(mask), area: 41 },
            { width: 8, height: 6 },
            7,
          ).rle,
        ),
      ),
    ).toBe(48);
  });

  it('leaves a mask without small parts unchanged, with its own RLE', () => {
    const mask = createBitmap(20, 10);
    for (let y = 2; y < 8; y++) for (let x = 3; x < 15; x++) mask.data[y * 20 + x] = 1;
    const input = { rle: encodeMask(mask), bbox: bitmapBbox(mask), area: bitmapArea(mask) };
    const result = cleanMask(input, { width: 20, height: 10 }, 10);
    expect(result.changed).toBe(false);
    expect(result.rle).toBe(input.rle);
  });
});
