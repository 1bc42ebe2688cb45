import { beforeAll, describe, expect, it } from 'vitest';
import { bitmapEquals, createBitmap, type Bitmap } from '../../geometry/index.js';
import { drawMask } from '../../geometry/testdata/ascii.js';
import { randomBlobMask, seededRandom } from '../../geometry/testdata/shapes.js';
import { loadOpenCv, type CV } from '../../model/default/opencv.js';
import { fillHoles, openCvContours as contoursOf, openCvFill } from '../opencv-test-support.js';
import { pixelOutline } from './pixel-contours.js';

function outerContours(mask: Bitmap, x?: number, y?: number): number[][] {
  return pixelOutline(mask, x, y).contours;
}

let cv: CV;
beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
});
const openCvContours = (mask: Bitmap) => contoursOf(cv, mask);

function noiseMask(width: number, height: number, seed: number, density: number): Bitmap {
  const random = seededRandom(seed);
  const mask = createBitmap(width, height);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = random() < density ? 1 : 0;
  return mask;
}

describe('pixelOutline', () => {
  it('traces boundary pixels from the top-left one, turning points only', () => {
    const square = drawMask('....', '.##.', '.##.', '....');
    expect(outerContours(square)).toEqual([[1, 1, 1, 2, 2, 2, 2, 1]]);
    expect(outerContours(drawMask('.#.', '...'))).toEqual([[1, 0]]);
    expect(outerContours(drawMask('###'))).toEqual([[0, 0, 2, 0]]);
    expect(outerContours(drawMask('#'), 5, 7)).toEqual([[5, 7]]);
    expect(outerContours(createBitmap(3, 3))).toEqual([]);
  });

  it('matches cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) hand-drawn corner cases', () => {
    const cases = [
      drawMask('#.#', '.#.', '#.#'),
      drawMask('#####', '#...#', '#.#.#', '#...#', '#####'),
      drawMask('##.##', '#.#.#', '##.##'),
      drawMask('.#..', '#.#.', '.#.#', '..#.'),
      drawMask('###.', '#...', '###.', '..#.', '###.'),
      drawMask('#..#', '.##.', '.##.', '#..#'),
    ];
    for (const mask of cases) expect(outerContours(mask)).toEqual(openCvContours(mask));
  });

  it('matches OpenCV point for point on blobs with parts, holes and specks', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const mask = randomBlobMask(90, 70, seed, { parts: 1 + (seed % 4), holes: 2, specks: 4 });
      expect(outerContours(mask), `seed ${seed}`).toEqual(openCvContours(mask));
    }
  });

  it('matches OpenCV on random noise (diagonal touches, nested parts, one-pixel parts)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const mask = noiseMask(17 + (seed % 13), 11 + (seed % 7), seed, 0.25 + (seed % 5) * 0.1);
      expect(outerContours(mask), `seed ${seed}`).toEqual(openCvContours(mask));
    }
  });

  it('tells whether the mask has holes', () => {
    expect(pixelOutline(drawMask('###', '#.#', '###')).hasHoles).toBe(true);
    expect(pixelOutline(drawMask('#####', '#...#', '#.#.#', '#...#', '#####')).hasHoles).toBe(true);
    expect(pixelOutline(drawMask('###', '#..', '###')).hasHoles).toBe(false);
    expect(pixelOutline(drawMask('.#.', '#.#', '.#.')).hasHoles).toBe(true);
    expect(pixelOutline(drawMask('#')).hasHoles).toBe(false);
  });

  it('cv2.fillPoly of the contours gives back the mask with its holes filled', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const mask =
        seed % 2 === 0
          ? randomBlobMask(80, 60, seed, { parts: 3, holes: 2, specks: 3 })
          : noiseMask(23, 19, seed, 0.3 + (seed % 4) * 0.1);
      const filled = openCvFill(cv, outerContours(mask), mask.width, mask.height);
      expect(bitmapEquals(filled, fillHoles(mask)), `seed ${seed}`).toBe(true);
    }
  });
});
