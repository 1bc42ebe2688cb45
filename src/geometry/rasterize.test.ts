import { describe, expect, it } from 'vitest';
import { bitmapEquals } from './bitmap.js';
import { GeometryError } from './errors.js';
import { maskToPolygons, polygonRings } from './polygons.js';
import { rasterizePolygons, rasterizeRings, type FillRule } from './rasterize.js';
import { originalToDisplay } from './spaces.js';
import { maskRows } from './testdata/ascii.js';
import { randomBlobMask } from './testdata/shapes.js';

const size = (width: number, height: number) => ({ width, height });

describe('rasterising by pixel centres', () => {
  it('fills a pixel when its centre is inside (half-open on the far edges)', () => {
    // Centre (i + 0.5, j + 0.5) is inside x + y < 4 exactly when i + j < 3.
    expect(maskRows(rasterizeRings([[0, 0, 4, 0, 0, 4]], size(4, 4)))).toEqual([
      '###.',
      '##..',
      '#...',
      '....',
    ]);
  });

  it('covers the centres a fractional rectangle contains', () => {
    expect(
      maskRows(rasterizeRings([[0.4, 0.4, 2.6, 0.4, 2.6, 1.6, 0.4, 1.6]], size(4, 3))),
    ).toEqual(['###.', '###.', '....']);
    // Shifted by 0.2 it no longer reaches the centres at 0.5.
    expect(
      maskRows(rasterizeRings([[0.6, 0.6, 2.6, 0.6, 2.6, 1.6, 0.6, 1.6]], size(4, 3))),
    ).toEqual(['....', '.##.', '....']);
  });

  it('cuts holes by even-odd whatever direction the rings run', () => {
    const outer = [0, 0, 5, 0, 5, 5, 0, 5];
    const sameWay = [1, 1, 4, 1, 4, 4, 1, 4];
    const otherWay = [1, 1, 1, 4, 4, 4, 4, 1];
    const expected = ['#####', '#...#', '#...#', '#...#', '#####'];
    expect(maskRows(rasterizeRings([outer, sameWay], size(5, 5)))).toEqual(expected);
    expect(maskRows(rasterizeRings([outer, otherWay], size(5, 5)))).toEqual(expected);
    expect(
      maskRows(
        rasterizePolygons(
          [
            { outer, holes: [otherWay] },
            { outer: [2, 2, 3, 2, 3, 3, 2, 3], holes: [] },
          ],
          size(5, 5),
        ),
      ),
    ).toEqual(['#####', '#...#', '#.#.#', '#...#', '#####']);
  });

  it('unions COCO polygon lists when asked, as pycocotools does', () => {
    const overlapping = [
      [0, 0, 3, 0, 3, 2, 0, 2],
      [2, 0, 5, 0, 5, 2, 2, 2],
    ];
    const rows = (rule: FillRule) => maskRows(rasterizeRings(overlapping, size(5, 2), rule));
    expect(rows('even-odd')).toEqual(['##.##', '##.##']);
    expect(rows('union')).toEqual(['#####', '#####']);
  });

  it('clips to the mask and ignores degenerate rings', () => {
    expect(
      maskRows(
        rasterizeRings(
          [
            [-5, -5, 2, -5, 2, 1, -5, 1],
            [1, 1, 2, 2],
          ],
          size(3, 2),
        ),
      ),
    ).toEqual(['##.', '...']);
    expect(maskRows(rasterizeRings([[10, 10, 20, 10, 20, 20]], size(3, 2)))).toEqual([
      '...',
      '...',
    ]);
  });

  it('names rings it cannot read', () => {
    expect(() => rasterizeRings([[0, 0, 1]], size(2, 2))).toThrow(GeometryError);
    expect(() => rasterizeRings([[0, 0, 1]], size(2, 2))).toThrow(/rings\[0\] must be a flat/);
    expect(() => rasterizeRings([[0, 0, 1, Number.NaN, 2, 2]], size(2, 2))).toThrow(
      /rings\[0\]\[3\]/,
    );
    expect(() => rasterizeRings([], size(2, 2), 'nonzero' as FillRule)).toThrow(/fillRule/);
  });
});

describe('outlines through the display space', () => {
  it('rasterise to the same mask after original -> display -> original', () => {
    const mask = randomBlobMask(613, 419, 5);
    const toDisplay = originalToDisplay(mask, 256);
    const rings = polygonRings(maskToPolygons(mask)).map((ring) =>
      toDisplay.inverseRing(toDisplay.forwardRing(ring)),
    );
    expect(bitmapEquals(rasterizeRings(rings, mask), mask)).toBe(true);
  });
});
