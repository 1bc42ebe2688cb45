import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  bitmapFrom,
  bitmapIntersection,
  bitmapIou,
  bitmapUnion,
  createBitmap,
  type Bitmap,
} from './bitmap.js';
import { RleError } from './errors.js';
import {
  compressRle,
  decodeRle,
  encodeMask,
  encodeMaskUncompressed,
  parseRle,
  rleArea,
  rleBbox,
  rleIou,
  rleMerge,
  uncompressRle,
} from './rle.js';
import { decodeRuns, encodeRuns, runsBbox } from './rle-runs.js';
import { countsFromString, countsToString } from './rle-string.js';
import { drawMask } from './testdata/ascii.js';
import { randomBlobMask, randomNoiseMask, seededRandom } from './testdata/shapes.js';

/** rleEncode from maskApi.c, literally: walk the pixels in column-major order. */
function referenceCounts(mask: Bitmap): number[] {
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < mask.width; x++) {
    for (let y = 0; y < mask.height; y++) {
      const v = mask.data[y * mask.width + x] !== 0 ? 1 : 0;
      if (v !== previous) {
        counts.push(run);
        run = 0;
        previous = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

function randomMasks(): Bitmap[] {
  const random = seededRandom(7);
  const masks: Bitmap[] = [
    createBitmap(0, 0),
    createBitmap(5, 0),
    createBitmap(1, 1),
    bitmapFrom(1, 1, Uint8Array.of(1)),
    bitmapFrom(4, 2, new Uint8Array(8).fill(1)),
    randomNoiseMask(1, 300, 1),
    randomNoiseMask(300, 1, 2),
  ];
  for (let i = 0; i < 40; i++) {
    // Widths that are multiples of 4 (rows used in place) and not (rows padded first).
    const width = 1 + Math.floor(random() * 90);
    const w = i % 2 === 0 ? width * 4 : width;
    const h = 1 + Math.floor(random() * 120);
    masks.push(i % 3 === 0 ? randomNoiseMask(w, h, i, random()) : randomBlobMask(w, h, i));
  }
  return masks;
}

describe('encode and decode', () => {
  it('matches hand-worked runs (column-major, starting with zeros)', () => {
    // Columns top to bottom: x=0 "0 1", x=1 "1 1", x=2 "0 0" -> 0 1 1 1 0 0
    const mask = drawMask('.#.', '##.');
    expect(encodeMaskUncompressed(mask)).toEqual({ size: [2, 3], counts: [1, 3, 2] });
    // A mask that starts with a set pixel starts with an empty run of zeros.
    expect(encodeMaskUncompressed(drawMask('#.', '..')).counts).toEqual([0, 1, 3]);
    expect(encodeMaskUncompressed(drawMask('##', '##')).counts).toEqual([0, 4]);
    expect(encodeMaskUncompressed(createBitmap(3, 2)).counts).toEqual([6]);
    expect(encodeMaskUncompressed(createBitmap(0, 0)).counts).toEqual([0]);
  });

  it('agrees with the literal maskApi.c loop and decodes back, for any width', () => {
    for (const mask of randomMasks()) {
      const runs = encodeRuns(mask);
      expect(Array.from(runs.counts)).toEqual(referenceCounts(mask));
      const back = decodeRuns(runs);
      expect(back.width).toBe(mask.width);
      expect(bitmapEquals(back, mask)).toBe(true);
    }
  });

  it('treats any non-zero byte as set', () => {
    const mask = bitmapFrom(4, 1, Uint8Array.of(0, 1, 255, 0));
    expect(encodeMaskUncompressed(mask).counts).toEqual([1, 2, 1]);
  });

  it('works on a bitmap that is a view into a larger buffer at an odd offset', () => {
    const buffer = new Uint8Array(1 + 8 * 4);
    buffer.set([1, 1, 0, 0, 0, 0, 1, 1], 1 + 8);
    const mask = bitmapFrom(8, 4, buffer.subarray(1));
    expect(encodeMaskUncompressed(mask).counts).toEqual(referenceCounts(mask));
  });
});

describe('compressed strings', () => {
  it('matches hand-worked encodings', () => {
    expect(countsToString([3, 2, 1])).toBe('321');
    // 40 = 8 + 1 * 32: low group 8 with the continue bit (8 | 32 = 40 -> 'X'), then 1.
    expect(countsToString([40])).toBe('X1');
    // 16 sets the sign bit of its only group, so a 0 group must follow: 16 | 32 = 48 -> '`'.
    expect(countsToString([16])).toBe('`0');
    expect(Array.from(countsFromString('`0'))).toEqual([16]);
    // From the fourth count on, the difference to two places back: 4 - 10 = -6 -> 26 -> 'J'.
    expect(countsToString([0, 10, 5, 4])).toBe('0:5J');
    expect(Array.from(countsFromString('0:5J'))).toEqual([0, 10, 5, 4]);
    expect(Array.from(countsFromString('X1'))).toEqual([40]);
  });

  it('round-trips counts with large values and large negative differences', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 200; i++) {
      const counts = Array.from({ length: 1 + Math.floor(random() * 30) }, () =>
        Math.floor(random() ** 4 * 0xffffffff),
      );
      expect(Array.from(countsFromString(countsToString(counts)))).toEqual(counts);
    }
    const extremes = [0xffffffff, 0, 0, 0xffffffff, 0, 1, 0xfffffffe];
    expect(Array.from(countsFromString(countsToString(extremes)))).toEqual(extremes);
  });

  it('round-trips masks through compress and uncompress', () => {
    for (const mask of randomMasks().slice(0, 20)) {
      const rle = encodeMask(mask);
      expect(uncompressRle(rle)).toEqual(encodeMaskUncompressed(mask));
      expect(compressRle(encodeMaskUncompressed(mask))).toEqual(rle);
      expect(bitmapEquals(decodeRle(rle), mask)).toBe(true);
    }
  });
});

describe('validation', () => {
  it('names a counts array that does not add up to the size', () => {
    const bad = { size: [2, 3] as [number, number], counts: [1, 3, 1] };
    expect(() => parseRle(bad)).toThrow(RleError);
    expect(() => parseRle(bad)).toThrow('segmentation.counts sum to 5 but size [2, 3] needs 6');
    expect(() => decodeRle(bad, 'annotations[4].segmentation')).toThrow(
      /annotations\[4\]\.segmentation\.counts sum to 5/,
    );
  });

  it('names negative, fractional and non-numeric runs', () => {
    expect(() => parseRle({ size: [2, 3], counts: [1, -3, 8] })).toThrow(
      'segmentation.counts[1] must be a whole number >= 0, got -3',
    );
    expect(() => parseRle({ size: [2, 3], counts: [1.5, 4.5] })).toThrow(/counts\[0\]/);
    expect(() => parseRle({ size: [2, 3], counts: ['6'] })).toThrow(/counts\[0\].*"6"/);
  });

  it('names bad characters, cut-off strings and runs that decode negative', () => {
    expect(() => parseRle({ size: [2, 3], counts: '3 2' })).toThrow(
      `segmentation.counts has character " " at position 1; only '0' to 'o' may appear`,
    );
    expect(() => parseRle({ size: [2, 3], counts: '3p' })).toThrow(/character "p"/);
    // 'X' carries the continue bit and nothing follows.
    expect(() => parseRle({ size: [2, 3], counts: '1X' })).toThrow(/cut short/);
    // Third run: 'J' alone is -6, which no run length can be.
    expect(() => parseRle({ size: [2, 3], counts: '12J' })).toThrow(/run 2 .* decodes to -6/);
    expect(() => parseRle({ size: [2, 3], counts: '34' })).toThrow(
      /sum to 7 but size \[2, 3\] needs 6/,
    );
  });

  it('names a malformed object or size', () => {
    expect(() => parseRle(null)).toThrow(/segmentation must be an object/);
    expect(() => parseRle({ size: [2], counts: [2] })).toThrow(
      /segmentation\.size must be \[height, width\]/,
    );
    expect(() => parseRle({ size: [-2, 3], counts: [6] })).toThrow(
      /size height must be a whole number/,
    );
    expect(() => parseRle({ size: [2, 3], counts: { a: 1 } })).toThrow(
      /counts must be a string or an array/,
    );
    expect(() => parseRle({ size: [70000, 70000], counts: [0] })).toThrow(
      /more pixels than COCO RLE/,
    );
  });
});

describe('area, bbox, merge and IoU on runs', () => {
  it('gives the same area and box as the decoded mask', () => {
    for (const mask of randomMasks()) {
      const rle = encodeMask(mask);
      expect(rleArea(rle)).toBe(bitmapArea(mask));
      expect(rleBbox(rle)).toEqual(bitmapBbox(mask));
    }
  });

  it('boxes a run that wraps into the next column at full height (pycocotools tests)', () => {
    // ppwwyyxx/cocoapi tests/test_cases.py testToBboxFullImage and testToBboxNonFullImage
    expect(rleBbox(encodeMask(drawMask('.#', '##')))).toEqual([0, 0, 2, 2]);
    const mask = createBitmap(10, 10);
    for (let y = 2; y < 4; y++) for (let x = 3; x < 6; x++) mask.data[y * 10 + x] = 1;
    expect(rleBbox(encodeMask(mask))).toEqual([3, 2, 3, 2]);
  });

  it('ignores empty runs of ones when boxing (the rleToBbox fix)', () => {
    // Runs: 0 zeros, 0 ones, 3 zeros, 2 ones (pixels 3-4 = column 1, rows 0-1), 1 zero.
    const runs = { height: 3, width: 2, counts: Uint32Array.of(0, 0, 3, 2, 1) };
    expect(runsBbox(runs)).toEqual([1, 0, 1, 2]);
    expect(bitmapBbox(decodeRuns(runs))).toEqual([1, 0, 1, 2]);
    expect(runsBbox({ height: 3, width: 2, counts: Uint32Array.of(2, 0, 4) })).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('merges and scores like the bitmap operations', () => {
    const masks = [0, 1, 2, 3].map((seed) => randomBlobMask(61, 47, seed, { parts: 2 }));
    const rles = masks.map(encodeMask);
    const union = masks.reduce(bitmapUnion);
    const inter = masks.reduce(bitmapIntersection);
    expect(bitmapEquals(decodeRle(rleMerge(rles)), union)).toBe(true);
    expect(bitmapEquals(decodeRle(rleMerge(rles, true)), inter)).toBe(true);
    expect(rleMerge([rles[0]!])).toEqual(rles[0]);
    for (let i = 0; i < masks.length; i++) {
      for (let j = 0; j < masks.length; j++) {
        expect(rleIou(rles[i]!, rles[j]!)).toBeCloseTo(bitmapIou(masks[i]!, masks[j]!), 12);
      }
    }
  });

  it('scores against a crowd region by the detection area', () => {
    const dt = encodeMask(drawMask('##..', '##..'));
    const gt = encodeMask(drawMask('.###', '.###'));
    expect(rleIou(dt, gt)).toBe(2 / 8);
    expect(rleIou(dt, gt, true)).toBe(2 / 4);
    expect(rleIou(dt, encodeMask(drawMask('...#', '...#')))).toBe(0);
  });

  it('refuses to merge masks of different sizes', () => {
    const a = encodeMask(createBitmap(3, 3));
    const b = encodeMask(createBitmap(3, 4));
    expect(() => rleMerge([a, b])).toThrow(
      /masks\[1\] has size \[4, 3\] but \[3, 3\] was expected/,
    );
    expect(() => rleIou(a, b)).toThrow(RleError);
  });
});
