import { describe, expect, it } from 'vitest';
import {
  createBitmap,
  cropBitmap,
  decodeRuns,
  encodeRuns,
  pasteBitmap,
  type Bitmap,
} from '../../geometry/index.js';
import { regionOfRuns, uncropRuns } from './rle-region.js';
import { randomBlobMask } from './test-masks.js';

function counts(mask: Bitmap): number[] {
  return Array.from(encodeRuns(mask).counts);
}

describe('uncropRuns', () => {
  it('gives the runs of the crop pasted into the picture, for crops anywhere', () => {
    const full = { width: 37, height: 29 };
    const places = [
      { x: 0, y: 0, w: 37, h: 29 },
      { x: 0, y: 0, w: 12, h: 9 },
      { x: 25, y: 20, w: 12, h: 9 },
      { x: 5, y: 3, w: 20, h: 29 - 3 },
      { x: 30, y: 0, w: 7, h: 29 },
    ];
    for (const [seed, place] of places.entries()) {
      const crop = randomBlobMask(place.w, place.h, 100 + seed);
      const pasted = createBitmap(full.width, full.height);
      pasteBitmap(pasted, crop, place.x, place.y);
      const runs = uncropRuns(encodeRuns(crop), { x: place.x, y: place.y }, full);
      expect([runs.height, runs.width]).toEqual([full.height, full.width]);
      expect(Array.from(runs.counts)).toEqual(counts(pasted));
    }
  });

  it('merges a run that continues from the bottom of one column into the next', () => {
    // A crop as tall as the picture: its columns join in the picture's column-major order.
    const crop = createBitmap(3, 4);
    crop.data.fill(1);
    const runs = uncropRuns(encodeRuns(crop), { x: 2, y: 0 }, { width: 6, height: 4 });
    expect(Array.from(runs.counts)).toEqual([8, 12, 4]);
  });

  it('gives one run of zeros for an empty crop', () => {
    const runs = uncropRuns(
      encodeRuns(createBitmap(4, 4)),
      { x: 1, y: 1 },
      { width: 8, height: 5 },
    );
    expect(Array.from(runs.counts)).toEqual([40]);
  });
});

describe('regionOfRuns', () => {
  it('equals cropping the decoded mask', () => {
    const mask = randomBlobMask(41, 33, 7);
    const runs = encodeRuns(mask);
    for (const rect of [
      { x0: 0, y0: 0, x1: 41, y1: 33 },
      { x0: 3, y0: 4, x1: 20, y1: 30 },
      { x0: 40, y0: 0, x1: 41, y1: 1 },
      { x0: 10, y0: 32, x1: 41, y1: 33 },
    ]) {
      const region = regionOfRuns(runs, rect);
      const expected = cropBitmap(
        decodeRuns(runs),
        rect.x0,
        rect.y0,
        rect.x1 - rect.x0,
        rect.y1 - rect.y0,
      );
      expect([region.width, region.height]).toEqual([expected.width, expected.height]);
      expect(Array.from(region.data)).toEqual(Array.from(expected.data));
    }
  });
});
