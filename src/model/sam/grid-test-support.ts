/** Logit grids for the tests of the post-processing: smooth, noisy and blocky. */
import { bitmapArea, bitmapBbox, type Bitmap } from '../../geometry/index.js';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';
import type { LogitGrid } from './grid-stats.js';
import type { RegionMask } from './logit-mask.js';

/** Smooth logits: a few Gaussian bumps minus an offset, so masks are blobs with soft edges. */
export function blobGrid(width: number, height: number, seed: number, bumps = 3): LogitGrid {
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

/** Logits that change sign often: uniform noise with exact 0, +-1 and (if asked) NaN cells. */
export function noiseGrid(width: number, height: number, seed: number, nan = false): LogitGrid {
  const random = seededRandom(seed);
  const specials = nan ? [0, -1, 1, Number.NaN] : [0, -1, 1];
  const data = Float32Array.from({ length: width * height }, () =>
    random() < 0.15 ? specials[Math.floor(random() * specials.length)]! : 6 * random() - 3.5,
  );
  return { width, height, data };
}

/** Rectangles of a few levels (exact 0 and +-1 among them), some reaching the grid's edges. */
export function blockGrid(width: number, height: number, seed: number): LogitGrid {
  const random = seededRandom(seed);
  const levels = [-4, -1, 0, 0.25, 1, 3];
  const data = new Float32Array(width * height).fill(-2);
  for (let k = 0; k < 6; k++) {
    const x0 = Math.floor(random() * width);
    const y0 = Math.floor(random() * height);
    const x1 = Math.min(width, x0 + 1 + Math.floor(random() * width));
    const y1 = Math.min(height, y0 + 1 + Math.floor(random() * height));
    const level = levels[Math.floor(random() * levels.length)]!;
    for (let y = y0; y < y1; y++) data.fill(level, y * width + x0, y * width + x1);
  }
  return { width, height, data };
}

/** The row runs of a bitmap, found pixel by pixel. */
export function regionOf(mask: Bitmap): RegionMask {
  const rowStarts = new Int32Array(mask.height + 1);
  const spans: number[] = [];
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const set = mask.data[y * mask.width + x] === 1;
      const before = x > 0 && mask.data[y * mask.width + x - 1] === 1;
      if (set && !before) spans.push(x);
      if (!set && before) spans.push(x);
    }
    if (spans.length % 2 === 1) spans.push(mask.width);
    rowStarts[y + 1] = spans.length / 2;
  }
  return {
    top: 0,
    rowStarts,
    spans: Int32Array.from(spans),
    bbox: bitmapBbox(mask),
    area: bitmapArea(mask),
  };
}
