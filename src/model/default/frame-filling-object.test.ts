import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bitmap } from '../../geometry/index.js';
import type { Embedding } from '../segmenter.js';
import { DefaultSegmenter } from './default-segmenter.js';
import { segmenterImageFromFile } from './testdata/segmenter-image.js';

/** A tabby cat's face filling most of a 451x300 photo; plain wall on the right. */
const CHELSEA_FILE = fileURLToPath(
  new URL('../../../examples/photos/chelsea.png', import.meta.url),
);

/** Share of the pixels of `mask` inside [x0, x1) x [y0, y1) that are set. */
function coverage(mask: Bitmap, x0: number, y0: number, x1: number, y1: number): number {
  let set = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set += mask.data[y * mask.width + x]!;
  return set / ((x1 - x0) * (y1 - y0));
}

describe('DefaultSegmenter on a textured object that fills the frame (chelsea.png)', () => {
  const segmenter = new DefaultSegmenter();
  let embedding: Embedding;

  beforeAll(async () => {
    embedding = await segmenter.encode(await segmenterImageFromFile(CHELSEA_FILE));
  });

  // Before the collapse fallback these gave masks of 7-9 pixels around the click.
  it.each([
    ['forehead', 220, 100],
    ['cheek', 300, 200],
  ])('one click on the %s gives a sizeable part of the cat, not the wall', async (_, x, y) => {
    const [top] = await segmenter.predict(embedding, { points: [{ x, y, label: 1 }] });
    const mask = top!.mask;
    const share = top!.area / (mask.width * mask.height);
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.95);
    expect(mask.data[y * mask.width + x]).toBe(1);
    // The wall right of the cat's face stays out.
    expect(coverage(mask, 410, 60, 451, 200)).toBeLessThan(0.1);
  });
});
