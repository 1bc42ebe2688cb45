import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';
import { gridStats, type LogitGrid } from '../sam/logit-mask.js';
import { summarizeLogits } from './logit-summary.js';

/** Background logits with a few blobs, and cells exactly on the thresholds. */
function randomGrid(width: number, height: number, seed: number): LogitGrid {
  const random = seededRandom(seed);
  const data = new Float32Array(width * height).map(() => -2 - random() * 8);
  const blobs = Math.floor(random() * 4);
  for (let b = 0; b < blobs; b++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = 1 + random() * Math.min(width, height) * 0.3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        if (d < r + 2) data[y * width + x] = (r - d) * 2;
      }
    }
  }
  for (const value of [-1, 0, 1, Infinity, Number.NaN]) {
    if (random() < 0.5) data[Math.floor(random() * data.length)] = value;
  }
  return { width, height, data };
}

describe('summarizeLogits', () => {
  it("gives gridStats' stability and bounds on grids of any width", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const width = 1 + (seed % 13) + (seed % 3) * 17;
      const height = 1 + ((seed * 7) % 23);
      const grid = randomGrid(width, height, seed);
      const { stability, bounds } = gridStats(grid);
      expect(summarizeLogits(grid), `seed ${seed}`).toEqual({ stability, bounds });
    }
  });

  it('gives no bounds and stability 0 for an all-background grid', () => {
    const grid = { width: 9, height: 5, data: new Float32Array(45).fill(-3) };
    expect(summarizeLogits(grid)).toEqual({ stability: 0, bounds: null });
  });
});
