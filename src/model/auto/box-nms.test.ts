import { describe, expect, it } from 'vitest';
import type { BboxXywh } from '../../geometry/index.js';
import { boxIou, boxNms } from './box-nms.js';

describe('boxIou', () => {
  it('is intersection over union of the pixel rectangles', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0);
    expect(boxIou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });
});

describe('boxNms', () => {
  const item = (bbox: BboxXywh, score: number, name: string) => ({ bbox, score, name });

  it('keeps the higher score of overlapping boxes and every box that overlaps no kept one', () => {
    const items = [
      item([0, 0, 10, 10], 0.8, 'a'),
      item([1, 0, 10, 10], 0.9, 'b'),
      item([50, 50, 10, 10], 0.5, 'c'),
      item([0, 0, 20, 20], 0.7, 'd'),
    ];
    const kept = boxNms(items, (i) => i.score, 0.7);
    expect(kept.map((i) => i.name)).toEqual(['b', 'd', 'c']);
  });

  it('suppresses only above the threshold', () => {
    // IoU exactly 0.5: both kept at threshold 0.5, one at 0.49.
    const items = [item([0, 0, 10, 10], 1, 'a'), item([0, 0, 10, 20], 0.5, 'b')];
    expect(boxNms(items, (i) => i.score, 0.5)).toHaveLength(2);
    expect(boxNms(items, (i) => i.score, 0.49).map((i) => i.name)).toEqual(['a']);
  });

  it('keeps input order among equal scores', () => {
    const items = [item([0, 0, 10, 10], 1, 'first'), item([0, 0, 10, 10], 1, 'second')];
    expect(boxNms(items, (i) => i.score, 0.7).map((i) => i.name)).toEqual(['first']);
  });
});
