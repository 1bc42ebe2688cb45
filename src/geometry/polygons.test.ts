import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapEquals,
  bitmapIntersection,
  bitmapIou,
  createBitmap,
  type Bitmap,
} from './bitmap.js';
import { maskToPolygons, polygonArea, ringArea, vertexCount } from './polygons.js';
import { rasterizePolygons } from './rasterize.js';
import { simplifyRing } from './simplify.js';
import { drawMask } from './testdata/ascii.js';
import { randomBlobMask, randomNoiseMask } from './testdata/shapes.js';
import { signedArea } from './trace.js';

/** Pixel counts of the 8-connected parts, by flood fill (independent of the tracer). */
function partAreas(mask: Bitmap): number[] {
  const { width, height, data } = mask;
  const seen = new Uint8Array(data.length);
  const areas: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (!data[start] || seen[start]) continue;
    let area = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      area++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const j = ny * width + nx;
          if (data[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    areas.push(area);
  }
  return areas.sort((a, b) => a - b);
}

function roundTrip(mask: Bitmap, tolerance = 0): Bitmap {
  return rasterizePolygons(maskToPolygons(mask, { tolerance }), mask);
}

describe('tracing outlines', () => {
  it('outlines a lone pixel along its edges, clockwise on screen from its top-left corner', () => {
    const mask = createBitmap(6, 5);
    mask.data[4 * 6 + 3] = 1;
    expect(maskToPolygons(mask)).toEqual([{ outer: [3, 4, 4, 4, 4, 5, 3, 5], holes: [] }]);
  });

  it('keeps only corners and gives holes the opposite direction', () => {
    const [part] = maskToPolygons(drawMask('....', '.###', '.#.#', '.###'));
    expect(part!.outer).toEqual([1, 1, 4, 1, 4, 4, 1, 4]);
    expect(part!.holes).toEqual([[2, 3, 3, 3, 3, 2, 2, 2]]);
    expect(signedArea(part!.outer)).toBe(9);
    expect(signedArea(part!.holes[0]!)).toBe(-1);
    expect(polygonArea(part!)).toBe(8);
  });

  it('joins pixels that touch at a corner into one part (8-connectivity)', () => {
    const parts = maskToPolygons(drawMask('#.', '.#'));
    expect(parts).toHaveLength(1);
    // The ring passes the shared corner (1, 1) twice.
    expect(parts[0]!.outer).toEqual([0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 0, 1]);
    expect(ringArea(parts[0]!.outer)).toBe(2);
  });

  it('needs a shared edge to close a hole (background is 4-connected)', () => {
    // The middle pixel touches the outside only through corners: it is a hole.
    expect(maskToPolygons(drawMask('.#.', '#.#', '.#.'))[0]!.holes).toHaveLength(1);
    // Here the gap at the bottom right opens the inside to the outside: no hole.
    expect(maskToPolygons(drawMask('###', '#..', '##.'))[0]!.holes).toHaveLength(0);
  });

  it('keeps every part, and an island inside a hole as a part of its own', () => {
    const parts = maskToPolygons(
      drawMask(
        '#######..##',
        '#.....#..##',
        '#.###.#....',
        '#.#.#.#....',
        '#.###.#..#.',
        '#.....#....',
        '#######....',
      ),
    );
    expect(parts.map((p) => [ringArea(p.outer), p.holes.map(ringArea)])).toEqual([
      [49, [25]],
      [4, []],
      [9, [1]],
      [1, []],
    ]);
  });

  it('rasterises back to the identical mask with tolerance 0', () => {
    const masks: Bitmap[] = [];
    for (let seed = 0; seed < 30; seed++) {
      masks.push(randomNoiseMask(13 + seed, 7 + ((seed * 5) % 23), seed, 0.2 + (seed % 5) * 0.15));
      masks.push(randomBlobMask(40 + seed * 7, 30 + seed * 5, seed, { parts: 1 + (seed % 4) }));
    }
    // Shapes cut by the image border on every side.
    masks.push(randomBlobMask(50, 40, 99, { parts: 6 }));
    const full = createBitmap(9, 4);
    full.data.fill(1);
    masks.push(full);
    for (const mask of masks) {
      const back = roundTrip(mask);
      expect(bitmapEquals(back, mask)).toBe(true);
      const polygons = maskToPolygons(mask);
      expect(polygons.reduce((a, p) => a + polygonArea(p), 0)).toBe(bitmapArea(mask));
    }
  });

  it('groups each hole with the part around it: one polygon per 8-connected part', () => {
    for (let seed = 0; seed < 20; seed++) {
      const mask =
        seed % 2 === 0
          ? randomNoiseMask(31 + seed, 29, seed, 0.45 + seed * 0.01)
          : randomBlobMask(90, 70, seed, { parts: 5, holes: 4, specks: 8 });
      const polygons = maskToPolygons(mask);
      const areas = polygons.map(polygonArea).sort((a, b) => a - b);
      expect(areas).toEqual(partAreas(mask));
      // Each part on its own rasterises to pixels inside its outer ring only.
      for (const p of polygons) {
        const part = rasterizePolygons([p], mask);
        const outer = rasterizePolygons([{ outer: p.outer, holes: [] }], mask);
        expect(bitmapIou(bitmapIntersection(part, outer), part)).toBe(1);
      }
    }
  });

  it('gives an empty mask no polygons', () => {
    expect(maskToPolygons(createBitmap(5, 5))).toEqual([]);
    expect(maskToPolygons(createBitmap(0, 0))).toEqual([]);
  });
});

describe('simplification', () => {
  const shapes = [1, 2, 3, 4, 5, 6].map((seed) =>
    randomBlobMask(300 + seed * 40, 240 + seed * 30, seed, { parts: 2, holes: 2, specks: 0 }),
  );

  it('stays within IoU 0.95 at 1 px, drops most vertices and keeps every part and hole', () => {
    for (const mask of shapes) {
      const exact = maskToPolygons(mask);
      const simple = maskToPolygons(mask, { tolerance: 1 });
      expect(simple).toHaveLength(exact.length);
      simple.forEach((p, i) => expect(p.holes).toHaveLength(exact[i]!.holes.length));
      for (const p of simple) {
        for (const ring of [p.outer, ...p.holes]) expect(ring.length).toBeGreaterThanOrEqual(6);
      }
      expect(vertexCount(simple)).toBeLessThan(vertexCount(exact) / 2);
      expect(bitmapIou(rasterizePolygons(simple, mask), mask)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('never shrinks a ring below 3 points, whatever the tolerance', () => {
    const pixel = [3, 4, 4, 4, 4, 5, 3, 5];
    expect(simplifyRing(pixel, 100)).toHaveLength(6);
    const sliver = [0, 0, 50, 0, 50, 1, 0, 1];
    const kept = simplifyRing(sliver, 10);
    expect(kept).toHaveLength(6);
    expect(ringArea(kept)).toBeGreaterThan(0);
    for (const mask of shapes) {
      for (const p of maskToPolygons(mask, { tolerance: 1000 })) {
        expect(p.outer.length).toBeGreaterThanOrEqual(6);
        for (const hole of p.holes) expect(hole.length).toBeGreaterThanOrEqual(6);
      }
    }
  });

  it('drops only rings below minArea, measured on the exact outline', () => {
    const mask = drawMask(
      '######....#',
      '#.####.....',
      '######..##.',
      '##..##..##.',
      '##..##.....',
      '######.....',
    );
    const all = maskToPolygons(mask);
    expect(all.map((p) => [ringArea(p.outer), p.holes.map(ringArea)])).toEqual([
      [36, [1, 4]],
      [1, []],
      [4, []],
    ]);
    const kept = maskToPolygons(mask, { minArea: 4 });
    expect(kept.map((p) => [ringArea(p.outer), p.holes.map(ringArea)])).toEqual([
      [36, [4]],
      [4, []],
    ]);
    expect(() => maskToPolygons(mask, { minArea: -1 })).toThrow(/minArea/);
    expect(() => maskToPolygons(mask, { tolerance: Number.NaN })).toThrow(/tolerance/);
  });
});
