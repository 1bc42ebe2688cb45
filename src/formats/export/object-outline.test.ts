import { describe, expect, it } from 'vitest';
import {
  bitmapEquals,
  cropBitmap,
  encodeMask,
  parseRle,
  rasterizeRings,
  createBitmap,
} from '../../geometry/index.js';
import { randomBlobMask } from '../../geometry/testdata/shapes.js';
import { decodeInBox, measureMask, outlineMask } from './object-outline.js';

describe('decodeInBox', () => {
  it('equals cropping the fully decoded mask', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const mask = randomBlobMask(37 + seed, 29, seed, { parts: 2, holes: 2, specks: 3 });
      const runs = parseRle(encodeMask(mask));
      const { bbox } = measureMask(runs);
      const [x, y, w, h] = bbox;
      expect(bitmapEquals(decodeInBox(runs, bbox), cropBitmap(mask, x, y, w, h))).toBe(true);
    }
  });
});

describe('outlineMask', () => {
  it('gives outer rings in image coordinates that fill back to the mask without its holes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const mask = randomBlobMask(64, 48, seed, { parts: 2, holes: 2, specks: 2 });
      const runs = parseRle(encodeMask(mask));
      const outline = outlineMask(runs, measureMask(runs).bbox, 0);
      const filled = rasterizeRings(outline.outers, { width: 64, height: 48 }, 'union');
      // Every mask pixel is covered; anything extra is a hole, which needs hasHoles.
      for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) expect(filled.data[i]).toBe(1);
      expect(bitmapEquals(filled, mask)).toBe(!outline.hasHoles);
    }
  });

  it('has no rings for an empty mask', () => {
    const runs = parseRle(encodeMask(createBitmap(10, 10)));
    expect(outlineMask(runs, measureMask(runs).bbox, 0)).toEqual({ outers: [], hasHoles: false });
  });

  it('keeps rings of at least three points when simplifying', () => {
    const mask = randomBlobMask(80, 80, 3, { parts: 3, holes: 0, specks: 6 });
    const runs = parseRle(encodeMask(mask));
    const exact = outlineMask(runs, measureMask(runs).bbox, 0);
    const simple = outlineMask(runs, measureMask(runs).bbox, 2);
    expect(simple.outers.length).toBeGreaterThan(0);
    for (const ring of simple.outers) expect(ring.length).toBeGreaterThanOrEqual(6);
    const count = (rings: number[][]) => rings.reduce((n, r) => n + r.length, 0);
    expect(count(simple.outers)).toBeLessThan(count(exact.outers));
  });
});
