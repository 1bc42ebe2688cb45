import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  bitmapFrom,
  encodeMask,
  thresholdToBitmap,
  type Bitmap,
  type Size,
} from '../../geometry/index.js';
import { resizeBilinear } from '../../../tools/test-models/test-support.js';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';
import { axisTaps, outputRange, resampleGrid } from './bilinear.js';
import { gridStats, type LogitGrid } from './grid-stats.js';
import { upsampleMask } from './logit-mask.js';
import { blobGrid, blockGrid, noiseGrid, regionOf } from './grid-test-support.js';
import { regionBitmap, regionRle } from './region-rle.js';

describe('bilinear resampling (torch align_corners=False)', () => {
  it.each([
    [256, 256, 1024, 1024],
    [683, 1024, 480, 640],
    [64, 48, 1000, 872],
    [300, 200, 123, 77],
  ])('matches an independent implementation %ix%i -> %ix%i', (sw, sh, ow, oh) => {
    const grid = blobGrid(sw, sh, sw + sh);
    const ours = resampleGrid(grid.data, sw, sh, sw / ow, sh / oh, ow, oh);
    const reference = resizeBilinear(grid.data, 1, sw, sh, ow, oh);
    let worst = 0;
    for (let i = 0; i < ours.length; i++)
      worst = Math.max(worst, Math.abs(ours[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('is the identity at scale 1', () => {
    const grid = blobGrid(50, 40, 9);
    const same = resampleGrid(grid.data, 50, 40, 1, 1, 50, 40);
    expect(same.every((v, i) => v === grid.data[i])).toBe(true);
  });

  it.each([
    [683, 4000, 100, 200],
    [683, 4000, 0, 0],
    [683, 4000, 682, 682],
    [256, 97, 3, 250],
    [9, 20, 0, 8],
    [1, 7, 0, 0],
  ])('finds exactly the outputs whose taps reach a source span (%i -> %i, %i..%i)', (...c) => {
    const [inSize, outSize, srcLo, srcHi] = c;
    const [start, end] = outputRange(inSize, outSize, srcLo, srcHi);
    const { lo, hi } = axisTaps(inSize, inSize / outSize, 0, outSize);
    for (let i = 0; i < outSize; i++) {
      const touches = hi[i]! >= srcLo && lo[i]! <= srcHi;
      expect(touches, `output ${i}`).toBe(i >= start && i < end);
    }
  });
});

/**
 * The straightforward way, as the engine did it before it worked in row runs: every output
 * pixel interpolated from its four cells (vertically first, in doubles, the taps of
 * bilinear.ts) and thresholded; statistics by counting every cell.
 */
function referenceMask(grid: LogitGrid, original: Size): Bitmap {
  const { width: sw, height: sh, data } = grid;
  const { width: ow, height: oh } = original;
  const taps = (i: number, inSize: number, scale: number): [number, number, number] => {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    const lo = Math.floor(s);
    return [lo, Math.min(lo + 1, inSize - 1), s - lo];
  };
  const out = new Uint8Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    const [y0, y1, fy] = taps(y, sh, sh / oh);
    for (let x = 0; x < ow; x++) {
      const [x0, x1, fx] = taps(x, sw, sw / ow);
      const left = data[y0 * sw + x0]! * (1 - fy) + data[y1 * sw + x0]! * fy;
      const right = data[y0 * sw + x1]! * (1 - fy) + data[y1 * sw + x1]! * fy;
      out[y * ow + x] = left * (1 - fx) + right * fx > 0 ? 1 : 0;
    }
  }
  return bitmapFrom(ow, oh, out);
}

function referenceStability(grid: LogitGrid): number {
  const loose = grid.data.filter((v) => v > -1).length;
  return loose === 0 ? 0 : grid.data.filter((v) => v > 1).length / loose;
}

function expectSameAsReference(grid: LogitGrid, original: Size, label: string): void {
  const expected = referenceMask(grid, original);
  const stats = gridStats(grid);
  const region = upsampleMask(grid, stats, original);
  expect(stats.stability, label).toBe(referenceStability(grid));
  const positive = bitmapFrom(
    grid.width,
    grid.height,
    Uint8Array.from(grid.data, (v) => (v > 0 ? 1 : 0)),
  );
  const cells = bitmapBbox(positive);
  const runs = regionOf(positive);
  expect([...stats.positive.rowStarts], label).toEqual([...runs.rowStarts]);
  expect([...stats.positive.spans], label).toEqual([...runs.spans]);
  expect(stats.bounds && [stats.bounds.minX, stats.bounds.minY], label).toEqual(
    bitmapArea(positive) ? [cells[0], cells[1]] : null,
  );
  expect(stats.bounds && [stats.bounds.maxX + 1, stats.bounds.maxY + 1], label).toEqual(
    bitmapArea(positive) ? [cells[0] + cells[2], cells[1] + cells[3]] : null,
  );
  expect(bitmapEquals(regionBitmap(region, original), expected), label).toBe(true);
  expect(region.bbox, label).toEqual(bitmapBbox(expected));
  expect(region.area, label).toBe(bitmapArea(expected));
  expect(regionRle(region, original), label).toEqual(encodeMask(expected));
}

describe('upsampleMask: the mask only where it can be', () => {
  it.each([
    [256, 256, 640, 480],
    [1024, 683, 1500, 1000],
    [768, 1024, 600, 800],
    [256, 256, 97, 301],
  ])('equals thresholding the whole resample (%ix%i -> %ix%i)', (sw, sh, ow, oh) => {
    for (const seed of [1, 2, 3]) {
      const grid = blobGrid(sw, sh, seed * 31 + sw);
      const full = thresholdToBitmap(
        resampleGrid(grid.data, sw, sh, sw / ow, sh / oh, ow, oh),
        ow,
        oh,
      );
      const stats = gridStats(grid);
      const region = upsampleMask(grid, stats, { width: ow, height: oh });
      expect(bitmapEquals(regionBitmap(region, { width: ow, height: oh }), full)).toBe(true);
      expect(region.bbox).toEqual(bitmapBbox(full));
      expect(region.area).toBe(bitmapArea(full));
      expect(regionRle(region, { width: ow, height: oh })).toEqual(encodeMask(full));
    }
  });

  // Odd, tiny, one-cell-wide and downscaling sizes, scale 1, and masks touching every edge.
  const sizes: [number, number, number, number][] = [
    [7, 5, 13, 11],
    [1, 1, 5, 3],
    [1, 9, 4, 20],
    [5, 1, 17, 2],
    [64, 48, 63, 47],
    [33, 17, 33, 17],
    [40, 30, 7, 5],
    [10, 10, 1000, 3],
    [19, 23, 117, 131],
  ];

  it.each(sizes)('matches the per-pixel reference on noisy logits (%ix%i -> %ix%i)', (...s) => {
    const [sw, sh, ow, oh] = s;
    for (let seed = 1; seed <= 8; seed++) {
      const grid = noiseGrid(sw, sh, seed * 97 + sw * 7 + oh, seed % 4 === 0);
      expectSameAsReference(grid, { width: ow, height: oh }, `noise seed ${seed}`);
    }
  });

  it.each(sizes)('matches the per-pixel reference on flat blocks (%ix%i -> %ix%i)', (...s) => {
    const [sw, sh, ow, oh] = s;
    for (let seed = 1; seed <= 8; seed++) {
      const grid = blockGrid(sw, sh, seed * 53 + sh);
      expectSameAsReference(grid, { width: ow, height: oh }, `blocks seed ${seed}`);
    }
  });

  it('covers the whole picture when every logit is positive, and one corner cell alone', () => {
    const full: LogitGrid = { width: 9, height: 6, data: new Float32Array(54).fill(0.5) };
    expectSameAsReference(full, { width: 31, height: 22 }, 'all positive');
    const corner = new Float32Array(54).fill(-5);
    corner[53] = 2;
    expectSameAsReference(
      { width: 9, height: 6, data: corner },
      { width: 31, height: 22 },
      'corner',
    );
  });

  it('treats infinite and NaN logits as the per-pixel arithmetic does', () => {
    // An odd grid into an even picture samples no cell with weight exactly 0 between the
    // clamped borders, where the engine (like before) takes two columns > 0 for a positive run
    // even when +Infinity * 0 makes the arithmetic NaN: +Infinity stays off the border columns.
    // Rows at scale 1 do weigh cells by 0 (+Infinity * 0 = NaN, as the reference has it).
    for (let seed = 1; seed <= 16; seed++) {
      const grid = noiseGrid(9, 7, seed * 13, true);
      const random = seededRandom(seed);
      for (let k = 0; k < 10; k++) {
        const x = 2 + Math.floor(random() * 5);
        const y = Math.floor(random() * 7);
        grid.data[y * 9 + x] = random() < 0.7 ? Infinity : -Infinity;
      }
      grid.data[Math.floor(random() * 63)] = -Infinity;
      const original = { width: 20, height: seed % 2 === 0 ? 16 : 7 };
      expectSameAsReference(grid, original, `infinite seed ${seed}`);
      expect(gridStats(grid).infinite).toBe(grid.data.includes(Infinity));
    }
  });

  it('notices +Infinity among cells > 1, where gridStats settles four cells at once', () => {
    const data = new Float32Array(9 * 4).fill(-3);
    data.set([2, 3, Infinity, 2, 5], 9 + 4);
    data.set([2, 3, 4, 2, 5], 2 * 9 + 4);
    const grid = { width: 9, height: 4, data };
    expect(gridStats(grid).infinite).toBe(true);
    expectSameAsReference(grid, { width: 20, height: 4 }, 'infinite in a quad');
  });

  it('gives an empty mask, bbox and RLE when no logit is positive', () => {
    const grid: LogitGrid = { width: 8, height: 8, data: new Float32Array(64).fill(-3) };
    const stats = gridStats(grid);
    expect([stats.bounds, stats.stability, stats.positive.spans.length]).toEqual([null, 0, 0]);
    const region = upsampleMask(grid, stats, { width: 30, height: 20 });
    expect(region.area).toBe(0);
    expect(region.bbox).toEqual([0, 0, 0, 0]);
    expect(bitmapArea(regionBitmap(region, { width: 30, height: 20 }))).toBe(0);
    expect(regionRle(region, { width: 30, height: 20 })).toEqual(
      encodeMask(bitmapFrom(30, 20, new Uint8Array(600))),
    );
  });

  it('scores stability as count(logit > 1) / count(logit > -1)', () => {
    const data = Float32Array.from([-2, -0.5, 0.5, 1.5, 2, 3, -1, 1]);
    const stats = gridStats({ width: 4, height: 2, data });
    // > -1: -0.5, 0.5, 1.5, 2, 3, 1 (6); > 1: 1.5, 2, 3 (3).
    expect(stats.stability).toBe(0.5);
    expect(stats.bounds).toEqual({ minX: 0, minY: 0, maxX: 3, maxY: 1 });
  });
});

describe('regionRle and regionBitmap', () => {
  it('match pycocotools order for masks touching every edge', () => {
    const random = seededRandom(77);
    for (let trial = 0; trial < 300; trial++) {
      const size = { width: 1 + Math.floor(random() * 17), height: 1 + Math.floor(random() * 9) };
      const density = random();
      const data = Uint8Array.from({ length: size.width * size.height }, () =>
        random() < density ? 1 : 0,
      );
      const mask = bitmapFrom(size.width, size.height, data);
      const region = regionOf(mask);
      expect(regionRle(region, size), `trial ${trial}`).toEqual(encodeMask(mask));
      expect(bitmapEquals(regionBitmap(region, size), mask), `trial ${trial}`).toBe(true);
    }
  });
});
