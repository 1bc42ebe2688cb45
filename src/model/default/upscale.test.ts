import { describe, expect, it } from 'vitest';
import { bitmapArea, bitmapBbox } from '../../geometry/index.js';
import type { Frame } from './frame.js';
import { frameMaskToOriginal } from './upscale.js';

/** A frame mask with the rectangle [c0, c1) x [r0, r1) set. */
function rectMask(frame: Frame, c0: number, r0: number, c1: number, r1: number): Uint8Array {
  const mask = new Uint8Array(frame.cols * frame.rows);
  for (let r = r0; r < r1; r++) mask.fill(1, r * frame.cols + c0, r * frame.cols + c1);
  return mask;
}

describe('frameMaskToOriginal', () => {
  it('copies a full-resolution frame exactly when working and original sizes agree', () => {
    const size = { width: 40, height: 30 };
    const frame = { x: 10, y: 5, width: 20, height: 10, cols: 20, rows: 10 };
    const out = frameMaskToOriginal(frame, rectMask(frame, 2, 3, 12, 8), size, size);
    expect(bitmapBbox(out)).toEqual([12, 8, 10, 5]);
    expect(bitmapArea(out)).toBe(50);
  });

  it('scales a coarse frame up to the original with the edges where they belong', () => {
    // Working 100 x 50 over an original 300 x 150; the frame covers working [20, 60) x [10, 30)
    // with 10 x 5 cells of 4 working pixels = 12 original pixels.
    const frame = { x: 20, y: 10, width: 40, height: 20, cols: 10, rows: 5 };
    const out = frameMaskToOriginal(
      frame,
      rectMask(frame, 2, 1, 6, 4),
      { width: 100, height: 50 },
      { width: 300, height: 150 },
    );
    // Cells 2..5 x 1..3 are working [28, 44) x [14, 26) = original [84, 132) x [42, 78).
    expect(bitmapBbox(out)).toEqual([84, 42, 48, 36]);
    // Bilinear sampling rounds the corners off a little, nothing else.
    expect(bitmapArea(out)).toBeGreaterThan(0.95 * 48 * 36);
    expect(bitmapArea(out)).toBeLessThanOrEqual(48 * 36);
    for (let y = 48; y < 72; y++)
      for (let x = 90; x < 126; x++) expect(out.data[y * 300 + x]).toBe(1);
  });

  it('leaves everything outside the frame empty and lets the edge decision settle the outline', () => {
    const frame = { x: 0, y: 0, width: 8, height: 8, cols: 2, rows: 2 };
    const mask = rectMask(frame, 0, 0, 1, 1);
    const size = { width: 16, height: 16 };
    const seen: number[] = [];
    const none = frameMaskToOriginal(frame, mask, size, size, (soft) => {
      seen.push(soft);
      return false;
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((v) => v > 0 && v < 1)).toBe(true);
    // Only the pixels where all surrounding cells are object remain.
    const all = frameMaskToOriginal(frame, mask, size, size, () => true);
    expect(bitmapArea(all)).toBeGreaterThan(bitmapArea(none));
    for (let y = 8; y < 16; y++) for (let x = 0; x < 16; x++) expect(all.data[y * 16 + x]).toBe(0);
  });
});
