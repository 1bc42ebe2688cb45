import { describe, expect, it } from 'vitest';
import { rasterizeRings, bitmapEquals, bitmapUnion } from '../../geometry/index.js';
import { mergeMultiSegment } from './merge-segments.js';

describe('mergeMultiSegment', () => {
  // Expected outputs were computed by Ultralytics' merge_multi_segment (converter.py, run under
  // numpy 2.4) on the same input.
  it('joins three parts going out through the middle one and back', () => {
    const rings = [
      [0, 0, 4, 0, 4, 4, 0, 4],
      [10, 10, 14, 10, 14, 14, 10, 14],
      [20, 0, 24, 0, 24, 4, 20, 4],
    ];
    expect(mergeMultiSegment(rings)).toEqual([
      4, 4, 0, 4, 0, 0, 4, 0, 4, 4, 10, 10, 14, 10, 20, 4, 20, 0, 24, 0, 24, 4, 20, 4, 14, 10, 14,
      14, 10, 14, 10, 10,
    ]);
  });

  it('reverses a middle part whose cut points run backwards, as Ultralytics does', () => {
    const rings = [
      [0, 0, 2, 0, 2, 2, 0, 2],
      [9, 1, 9, 5, 5, 5, 5, 1],
      [12, 8, 14, 8, 14, 10, 12, 10],
    ];
    expect(mergeMultiSegment(rings)).toEqual([
      2, 0, 2, 2, 0, 2, 0, 0, 2, 0, 5, 5, 9, 5, 9, 1, 12, 8, 14, 8, 14, 10, 12, 10, 12, 8, 9, 1, 5,
      1, 5, 5,
    ]);
  });

  it('leaves a single ring as it is', () => {
    expect(mergeMultiSegment([[1, 2, 3, 4, 5, 6]])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fills exactly the parts when the joined polygon is filled even-odd', () => {
    const a = [1, 1, 5, 1, 5, 4, 1, 4];
    const b = [8, 6, 12, 6, 12, 9, 8, 9];
    const c = [2, 10, 4, 10, 4, 13, 2, 13];
    const size = { width: 16, height: 16 };
    const merged = rasterizeRings([mergeMultiSegment([a, b, c])], size, 'even-odd');
    const parts = bitmapUnion(
      bitmapUnion(rasterizeRings([a], size), rasterizeRings([b], size)),
      rasterizeRings([c], size),
    );
    expect(bitmapEquals(merged, parts)).toBe(true);
  });
});
