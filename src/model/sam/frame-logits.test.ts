import { describe, expect, it } from 'vitest';
import type { Size } from '../../geometry/index.js';
import { seededRandom } from '../../../tools/test-models/seeded-random.js';
import { resampleGrid } from './bilinear.js';
import { frameLogits } from './frame-logits.js';
import { gridStats, type LogitGrid } from './grid-stats.js';
import { blobGrid, blockGrid, noiseGrid } from './grid-test-support.js';
import { upsampleMask } from './logit-mask.js';

/**
 * frameLogits against the plain way it replaces: the whole frame resampled (resampleGrid), its
 * gridStats, and the mask upsampled from it to `original`.
 */
function expectSameAsWholeFrame(
  lowRes: LogitGrid,
  scale: number,
  frame: Size,
  original: Size,
  label: string,
): void {
  const whole = {
    ...frame,
    data: resampleGrid(lowRes.data, lowRes.width, lowRes.height, scale, scale, ...sizeOf(frame)),
  };
  const expected = gridStats(whole);
  const { grid, stats } = frameLogits(lowRes, scale, frame);
  expect(stats.stability, label).toBe(expected.stability);
  expect(stats.bounds, label).toEqual(expected.bounds);
  expect(stats.infinite, label).toBe(expected.infinite);
  expect([...stats.positive.rowStarts], label).toEqual([...expected.positive.rowStarts]);
  expect([...stats.positive.spans], label).toEqual([...expected.positive.spans]);
  if (expected.bounds) {
    // The window kept (one cell beyond the bounds) holds the resampled logits where
    // upsampleMask can read them (near the outline), and is left unfilled (0) elsewhere.
    const { minX, minY, maxX, maxY } = expected.bounds;
    const left = Math.max(0, minX - 1);
    const top = Math.max(0, minY - 1);
    const width = Math.min(frame.width, maxX + 2) - left;
    expect(grid.window, label).toEqual({ left, top, width });
    let filled = 0;
    for (let y = top; y <= Math.min(frame.height - 1, maxY + 1); y++) {
      for (let x = 0; x < width; x++) {
        const kept = grid.data[(y - top) * width + x]!;
        const value = whole.data[y * frame.width + left + x]!;
        if (kept !== 0 || value === 0) {
          expect(Object.is(kept, value) || kept === value, `${label} (${x}, ${y})`).toBe(true);
          filled++;
        }
      }
    }
    expect(filled, label).toBeGreaterThan(0);
    expect(grid.data.length, label).toBe(width * (Math.min(frame.height, maxY + 2) - top));
    expect(() => gridStats(grid)).toThrow(/not a window/);
  }
  expect(upsampleMask(grid, stats, original), label).toEqual(
    upsampleMask(whole, expected, original),
  );
}

function sizeOf(size: Size): [number, number] {
  return [size.width, size.height];
}

describe('frameLogits: EdgeSAM low-res logits over the frame', () => {
  it('matches resampling the whole frame for smooth masks (256 -> 1024x683 -> 1500x1000)', () => {
    for (const seed of [1, 2, 3]) {
      const lowRes = blobGrid(256, 256, seed * 17);
      const frame = { width: 1024, height: 683 };
      expectSameAsWholeFrame(lowRes, 0.25, frame, { width: 1500, height: 1000 }, `${seed}`);
    }
  });

  it.each([
    [8, 8, 32, 21, 45, 30],
    [5, 7, 20, 27, 13, 17],
    [1, 1, 4, 3, 9, 5],
    [12, 3, 48, 9, 48, 9],
  ])(
    'matches on noisy and blocky logits (%ix%i -> frame %ix%i -> %ix%i)',
    (lw, lh, fw, fh, ow, oh) => {
      const frame = { width: fw, height: fh };
      const original = { width: ow, height: oh };
      for (let seed = 1; seed <= 8; seed++) {
        const noise = noiseGrid(lw, lh, seed * 41 + lw, seed % 3 === 0);
        expectSameAsWholeFrame(noise, 0.25, frame, original, `noise ${seed}`);
        const blocks = blockGrid(lw, lh, seed * 29 + lh);
        expectSameAsWholeFrame(blocks, 0.25, frame, original, `blocks ${seed}`);
      }
    },
  );

  it('matches where interpolated logits round to 0 in float32 (subnormal cells)', () => {
    // Two tiny positive cells over zeros: between them every logit is above 0 in doubles, yet
    // part of each frame row rounds to 0 once stored as float32, so it is not above 0.
    const tiny = 2 ** -149;
    const lowRes = noiseGrid(8, 6, 3);
    lowRes.data.set([2 * tiny, tiny, 3 * tiny, -tiny, 0, 4], 8 + 1);
    lowRes.data.set([0, 0, 0, 0, 2 * tiny, 5], 2 * 8 + 1);
    for (const original of [
      { width: 50, height: 30 },
      { width: 13, height: 11 },
    ]) {
      const frame = { width: 32, height: 21 };
      expectSameAsWholeFrame(lowRes, 0.25, frame, original, `${original.width}`);
    }
  });

  it('matches with infinite logits and when nothing is positive', () => {
    const random = seededRandom(5);
    for (let seed = 1; seed <= 8; seed++) {
      const lowRes = noiseGrid(9, 6, seed, true);
      for (let k = 0; k < 6; k++) {
        lowRes.data[Math.floor(random() * 54)] = random() < 0.5 ? Infinity : -Infinity;
      }
      lowRes.data.fill(3, 0, 9);
      const frame = { width: 36, height: 22 };
      expectSameAsWholeFrame(lowRes, 0.25, frame, { width: 50, height: 31 }, `infinite ${seed}`);
    }
    const none: LogitGrid = { width: 6, height: 6, data: new Float32Array(36).fill(-2) };
    expectSameAsWholeFrame(none, 0.25, { width: 24, height: 24 }, { width: 30, height: 30 }, '-');
  });
});
