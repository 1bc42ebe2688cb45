/**
 * Test support: random masks with holes, islands and border contact, for the checks of the
 * region and cleanup code against whole-picture computations.
 */
import { createBitmap, type Bitmap } from '../../geometry/index.js';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';

/**
 * A blob mask: a few random discs and rectangles, then random specks set and cleared, so that
 * it has islands and holes of assorted sizes; `inset` keeps it that far from the edges.
 */
export function randomBlobMask(width: number, height: number, seed: number, inset = 0): Bitmap {
  const random = seededRandom(seed);
  const mask = createBitmap(width, height);
  const inside = (x: number, y: number): boolean =>
    x >= inset && y >= inset && x < width - inset && y < height - inset;
  const shapes = 1 + Math.floor(random() * 3);
  for (let s = 0; s < shapes; s++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = 2 + random() * Math.min(width, height) * 0.4;
    const disc = random() < 0.5;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const hit = disc ? dx * dx + dy * dy <= r * r : Math.abs(dx) <= r && Math.abs(dy) <= r / 2;
        if (hit && inside(x, y)) mask.data[y * width + x] = 1;
      }
    }
  }
  const specks = Math.floor(random() * 12);
  for (let s = 0; s < specks; s++) {
    const x0 = Math.floor(random() * width);
    const y0 = Math.floor(random() * height);
    const side = 1 + Math.floor(random() * 3);
    const value = random() < 0.5 ? 1 : 0;
    for (let y = y0; y < Math.min(height, y0 + side); y++) {
      for (let x = x0; x < Math.min(width, x0 + side); x++) {
        if (inside(x, y)) mask.data[y * width + x] = value;
      }
    }
  }
  return mask;
}
