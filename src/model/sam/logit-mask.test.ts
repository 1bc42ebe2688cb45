import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  bitmapFrom,
  createBitmap,
  pasteBitmap,
  encodeMask,
  thresholdToBitmap,
} from '../../geometry/index.js';
import { resizeBilinear } from '../../../tools/test-models/test-support.js';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';
import { axisTaps, outputRange, resampleGrid } from './bilinear.js';
import { gridStats, upsampleMask, type LogitGrid } from './logit-mask.js';
import { regionBitmap, regionRle } from './region-rle.js';

/** Smooth logits: a few Gaussian bumps minus an offset, so masks are blobs with soft edges. */
function blobGrid(width: number, height: number, seed: number, bumps = 3): LogitGrid {
  const random = seededRandom(seed);
  const centres = Array.from({ length: bumps }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.05 + random() * 0.15) * Math.max(width, height),
  }));
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = -8;
      for (const c of centres) v += 16 * Math.exp(-((x - c.x) ** 2 + (y - c.y) ** 2) / c.r ** 2);
      data[y * width + x] = v;
    }
  }
  return { width, height, data };
}

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

  it('finds exactly the outputs whose taps reach a source span', () => {
    const inSize = 683;
    const outSize = 4000;
    const [start, end] = outputRange(inSize, outSize, 100, 200);
    const { lo, hi } = axisTaps(inSize, inSize / outSize, 0, outSize);
    for (let i = 0; i < outSize; i++) {
      const touches = hi[i]! >= 100 && lo[i]! <= 200;
      expect(touches, `output ${i}`).toBe(i >= start && i < end);
    }
  });
});

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
      const region = upsampleMask(grid, stats.bounds, { width: ow, height: oh });
      expect(bitmapEquals(regionBitmap(region, { width: ow, height: oh }), full)).toBe(true);
      expect(region.bbox).toEqual(bitmapBbox(full));
      expect(region.area).toBe(bitmapArea(full));
      expect(regionRle(region, { width: ow, height: oh })).toEqual(encodeMask(full));
    }
  });

  it('gives an empty mask, bbox and RLE when no logit is positive', () => {
    const grid: LogitGrid = { width: 8, height: 8, data: new Float32Array(64).fill(-3) };
    const stats = gridStats(grid);
    expect(stats).toEqual({ bounds: null, stability: 0 });
    const region = upsampleMask(grid, stats.bounds, { width: 30, height: 20 });
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

describe('regionRle', () => {
  it('matches pycocotools order for masks touching every edge', () => {
    const size = { width: 16, height: 9 };
    const random = seededRandom(77);
    let wordRows = 0;
    for (let trial = 0; trial < 200; trial++) {
      const left = Math.floor(random() * size.width);
      const top = Math.floor(random() * size.height);
      const w = 1 + Math.floor(random() * (size.width - left));
      const h = 1 + Math.floor(random() * (size.height - top));
      if (w % 4 === 0) wordRows++;
      const crop = Uint8Array.from({ length: w * h }, () => (random() < 0.6 ? 1 : 0));
      const bitmap = bitmapFrom(w, h, crop);
      const mask = createBitmap(size.width, size.height);
      pasteBitmap(mask, bitmap, left, top);
      const region = { left, top, bitmap, bbox: bitmapBbox(mask), area: bitmapArea(mask) };
      expect(regionRle(region, size)).toEqual(encodeMask(mask));
    }
    // Both the byte-wise and the word-wise comparison of rows were exercised.
    expect(wordRows).toBeGreaterThan(10);
  });
});
