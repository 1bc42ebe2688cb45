import { describe, expect, it } from 'vitest';
import type { Frame } from './frame.js';
import { dilate, erode } from './morphology.js';

const frame: Frame = { x: 0, y: 0, width: 7, height: 5, cols: 7, rows: 5 };

function rows(mask: Uint8Array): string[] {
  return Array.from({ length: frame.rows }, (_, r) =>
    Array.from(mask.subarray(r * frame.cols, (r + 1) * frame.cols)).join(''),
  );
}

describe('dilate and erode on a frame mask', () => {
  it('grows a pixel into a square of side 2 * reach + 1, clipped to the frame', () => {
    const mask = new Uint8Array(35);
    mask[1 * 7 + 1] = 1;
    expect(rows(dilate(mask, frame, 1))).toEqual([
      '1110000',
      '1110000',
      '1110000',
      '0000000',
      '0000000',
    ]);
  });

  it('shrinks a block from its inner sides only: the frame edge is no outline', () => {
    const mask = Uint8Array.from({ length: 35 }, (_, i) => (i % 7 < 5 ? 1 : 0));
    expect(rows(erode(mask, frame, 2))).toEqual([
      '1110000',
      '1110000',
      '1110000',
      '1110000',
      '1110000',
    ]);
  });
});
