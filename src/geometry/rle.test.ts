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
import { decodeRuns, encodeRuns, mergeRuns, runsBbox, runsIou, type RleRuns } from './rle-runs.js';
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

/**
 * A column of n pixels as runs. With `emptyRuns`, empty runs appear anywhere (parseRle accepts
 * them); without, only the first run may be empty, as pycocotools' own encoder writes them.
 */
function randomRuns(n: number, random: () => number, emptyRuns: boolean): RleRuns {
  const counts: number[] = [random() < 0.3 ? 0 : 1 + Math.floor(random() * 4)];
  let left = n - counts[0]!;
  while (left > 0) {
    const c = emptyRuns && random() < 0.25 ? 0 : Math.min(left, 1 + Math.floor(random() * 8));
    counts.push(c);
    left -= c;
  }
  if (left < 0) counts[0]! += left; // the first run overshot a short column
  if (emptyRuns && random() < 0.3) counts.push(0);
  return { height: n, width: 1, counts: Uint32Array.from(counts) };
}

/** rleMerge from maskApi.c for two masks, literally. */
function referenceMerge(A: ArrayLike<number>, B: ArrayLike<number>, intersect: boolean): number[] {
  const out: number[] = [];
  let ca = A[0]!;
  let cb = B[0]!;
  let v = false;
  let va = false;
  let vb = false;
  let a = 1;
  let b = 1;
  let cc = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    cc += c;
    ct = 0;
    ca -= c;
    if (!ca && a < A.length) {
      ca = A[a++]!;
      va = !va;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < B.length) {
      cb = B[b++]!;
      vb = !vb;
    }
    ct += cb;
    const vp: boolean = v;
    v = intersect ? va && vb : va || vb;
    if (v !== vp || ct === 0) {
      out.push(cc);
      cc = 0;
    }
  }
  return out;
}

/** rleIou from maskApi.c for one pair, literally (without its bounding-box shortcut). */
function referenceIou(A: ArrayLike<number>, B: ArrayLike<number>, crowd: boolean): number {
  let ca = A[0]!;
  let cb = B[0]!;
  let va = false;
  let vb = false;
  let a = 1;
  let b = 1;
  let i = 0;
  let u = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ct = 0;
    ca -= c;
    if (!ca && a < A.length) {
      ca = A[a++]!;
      va = !va;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < B.length) {
      cb = B[b++]!;
      vb = !vb;
    }
    ct += cb;
  }
  if (i === 0) u = 1;
  else if (crowd) u = Array.from(A).reduce((sum, c, k) => (k % 2 ? sum + c : sum), 0);
  return i / u;
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
      'segmentation.size[0] (height) must be a whole number >= 0, got -2',
    );
    expect(() => parseRle({ size: [2, 3], counts: { a: 1 } })).toThrow(
      /counts must be a string or an array/,
    );
    expect(() => parseRle({ size: [70000, 70000], counts: [0] })).toThrow(
      /^segmentation\.size \[70000, 70000\] has more pixels than COCO RLE/,
    );
  });

  function rleErrorOf(fn: () => unknown): RleError {
    try {
      fn();
    } catch (error) {
      if (error instanceof RleError) return error;
      throw error;
    }
    throw new Error('expected an RleError, nothing was thrown');
  }

  it("names a bad size under the caller's field, before looking at the counts", () => {
    const field = 'annotations[3].segmentation';
    // '3' would decode as a valid counts string; the size is what is wrong.
    const height = rleErrorOf(() => parseRle({ size: ['3', 4], counts: '3' }, field));
    expect(height.field).toBe('annotations[3].segmentation.size[0]');
    expect(height.value).toBe('3');
    expect(height.message).toBe(
      'annotations[3].segmentation.size[0] (height) must be a whole number >= 0, got "3"',
    );
    // A broken counts string with a bad size still reports the size.
    const width = rleErrorOf(() => decodeRle({ size: [2, 1.5], counts: '1X' } as never, field));
    expect(width.field).toBe('annotations[3].segmentation.size[1]');
    expect(width.message).toMatch(/^annotations\[3\]\.segmentation\.size\[1\] \(width\)/);
    const bare = rleErrorOf(() => decodeRuns({ height: 2, width: -1, counts: Uint32Array.of(0) }));
    expect(bare.field).toBe('size[1]');
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

  it('refuses run lists of one size that cover different numbers of pixels', () => {
    // Hand-built runs skip parseRle; maskApi.c would loop forever on these.
    const a = { height: 2, width: 2, counts: Uint32Array.of(1, 2, 1) };
    const short = { height: 2, width: 2, counts: Uint32Array.of(1, 2) };
    expect(() => runsIou(a, short)).toThrow('the two run lists cover different numbers of pixels');
    expect(() => mergeRuns([a, short], false)).toThrow(RleError);
  });

  it('keeps empty runs where maskApi.c keeps them', () => {
    // [2, 0, 3] is five zeros written with an empty run of ones; [0, 5] starts with one.
    const empty = { height: 5, width: 1, counts: Uint32Array.of(2, 0, 3) };
    const full = { height: 5, width: 1, counts: Uint32Array.of(0, 5) };
    const part = { height: 5, width: 1, counts: Uint32Array.of(1, 0, 0, 2, 2) };
    expect(Array.from(mergeRuns([empty, full], false).counts)).toEqual([0, 5]);
    expect(Array.from(mergeRuns([empty, full], true).counts)).toEqual([2, 0, 3]);
    expect(Array.from(mergeRuns([part, full], true).counts)).toEqual([1, 0, 0, 2, 2]);
    expect(runsIou(part, full)).toBe(2 / 5);
    expect(runsIou(full, part, true)).toBe(2 / 5);
    const none = { height: 0, width: 3, counts: Uint32Array.of(0) };
    expect(Array.from(mergeRuns([none, none], false).counts)).toEqual([0]);
    // No runs at all is a valid empty mask too (the counts sum to 0 = 0 x 0).
    const bare = { height: 0, width: 0, counts: new Uint32Array(0) };
    expect(Array.from(mergeRuns([bare, bare], true).counts)).toEqual([0]);
    expect(rleIou({ size: [0, 0], counts: [] }, { size: [0, 0], counts: [] })).toBe(0);
  });

  it('merges and scores exactly as the literal maskApi.c loops', () => {
    const random = seededRandom(31);
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(random() * 60);
      const a = randomRuns(n, random, false);
      const b = randomRuns(n, random, false);
      for (const intersect of [false, true]) {
        expect(Array.from(mergeRuns([a, b], intersect).counts)).toEqual(
          referenceMerge(a.counts, b.counts, intersect),
        );
      }
      for (const crowd of [false, true]) {
        expect(runsIou(a, b, crowd)).toBe(referenceIou(a.counts, b.counts, crowd));
      }
    }
  });

  it('merges and scores like the bitmaps when empty runs sit anywhere', () => {
    const random = seededRandom(32);
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(random() * 60);
      const a = randomRuns(n, random, true);
      const b = randomRuns(n, random, true);
      const [ma, mb] = [decodeRuns(a), decodeRuns(b)];
      expect(bitmapEquals(decodeRuns(mergeRuns([a, b], false)), bitmapUnion(ma, mb))).toBe(true);
      expect(bitmapEquals(decodeRuns(mergeRuns([a, b], true)), bitmapIntersection(ma, mb))).toBe(
        true,
      );
      expect(runsIou(a, b)).toBe(bitmapIou(ma, mb));
      const inter = bitmapArea(bitmapIntersection(ma, mb));
      expect(runsIou(a, b, true)).toBe(inter === 0 ? 0 : inter / bitmapArea(ma));
    }
  });

  it('does not stop at empty runs both lists have at the same place, as maskApi.c does', () => {
    // Ones at pixels 0-1, an empty run of zeros and of ones, then: a none, b at pixels 3-4.
    const a = { height: 5, width: 1, counts: Uint32Array.of(0, 2, 0, 0, 3) };
    const b = { height: 5, width: 1, counts: Uint32Array.of(0, 2, 0, 0, 1, 2) };
    // maskApi.c ends both loops after pixel 1: union [0, 2], IoU 2 / 2.
    expect(referenceMerge(a.counts, b.counts, false)).toEqual([0, 2]);
    expect(referenceIou(a.counts, b.counts, false)).toBe(1);
    expect(Array.from(mergeRuns([a, b], false).counts)).toEqual([0, 2, 0, 0, 1, 2]);
    expect(runsIou(a, b)).toBe(2 / 4);
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
