import { describe, expect, it } from 'vitest';
import { createBitmap, type Bitmap } from '../../../geometry/index.js';
import { longestStraightEdge } from './straight-edge.js';

function drawn(width: number, height: number, inside: (x: number, y: number) => boolean): Bitmap {
  const mask = createBitmap(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) mask.data[y * width + x] = inside(x, y) ? 1 : 0;
  return mask;
}

describe('longestStraightEdge', () => {
  it('measures the straight side of a rectangle cut into an object', () => {
    // A disc whose lower part is cut off by a horizontal line: that chord is 2 * sqrt(60^2 - 20^2).
    const cut = drawn(200, 200, (x, y) => (x - 100) ** 2 + (y - 100) ** 2 < 60 * 60 && y < 120);
    expect(longestStraightEdge(cut)).toBeGreaterThanOrEqual(110);
  });

  it('finds no long straight stretch on a disc or on an object running off the picture', () => {
    // Within 4 pixels a circle of radius 60 stays flat over a chord of 2 * sqrt(60^2 - 56^2) = 43.
    const disc = drawn(200, 200, (x, y) => (x - 100) ** 2 + (y - 100) ** 2 < 60 * 60);
    expect(longestStraightEdge(disc)).toBeLessThanOrEqual(45);
    const offEdge = drawn(200, 200, (x, y) => x < 2 || (x - 30) ** 2 + (y - 100) ** 2 < 50 * 50);
    expect(longestStraightEdge(offEdge)).toBeLessThanOrEqual(45);
  });
});
