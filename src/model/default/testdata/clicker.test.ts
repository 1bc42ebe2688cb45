import { describe, expect, it } from 'vitest';
import { createBitmap, type Bitmap } from '../../../geometry/index.js';
import { loadOpenCv } from '../opencv.js';
import { nextClick } from './clicker.js';

function rect(
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Bitmap {
  const mask = createBitmap(width, height);
  for (let y = y0; y < y1; y++) mask.data.fill(1, y * width + x0, y * width + x1);
  return mask;
}

describe('nextClick (the simulated user of the benchmark)', () => {
  it('clicks the centre of a missed object, positive', async () => {
    const { cv } = await loadOpenCv();
    const truth = rect(64, 48, 10, 10, 31, 31);
    expect(nextClick(cv, truth, null)).toEqual({ x: 20.5, y: 20.5, label: 1 });
  });

  it('clicks the deepest wrong region: negative for a false positive larger than what is missed', async () => {
    const { cv } = await loadOpenCv();
    const truth = rect(64, 48, 10, 10, 31, 31);
    // The prediction misses a 3-pixel strip and adds a 15 x 15 square.
    const prediction = rect(64, 48, 10, 10, 28, 31);
    for (let y = 20; y < 35; y++) prediction.data.fill(1, y * 64 + 40, y * 64 + 55);
    expect(nextClick(cv, truth, prediction)).toEqual({ x: 47.5, y: 27.5, label: 0 });
  });

  it('counts the picture border as boundary and returns null when nothing is wrong', async () => {
    const { cv } = await loadOpenCv();
    const truth = rect(40, 40, 0, 0, 40, 5);
    expect(nextClick(cv, truth, null)!.y).toBe(2.5);
    expect(nextClick(cv, truth, truth)).toBeNull();
  });
});
