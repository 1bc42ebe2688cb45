import { describe, expect, it } from 'vitest';
import { ColourModel, GMM_MODEL_SIZE, colourAgreement } from './gmm.js';

/** OpenCV's layout: weights, means, covariances; here isotropic components (variance v). */
function model(
  components: { weight: number; mean: [number, number, number]; v: number }[],
): Float64Array {
  const params = new Float64Array(GMM_MODEL_SIZE);
  components.forEach((c, k) => {
    params[k] = c.weight;
    params.set(c.mean, 5 + 3 * k);
    params.set([c.v, 0, 0, 0, c.v, 0, 0, 0, c.v], 20 + 9 * k);
  });
  return params;
}

describe('ColourModel', () => {
  it('evaluates the mixture density up to the shared (2 pi)^-3/2 factor', () => {
    const gmm = new ColourModel(
      model([
        { weight: 0.25, mean: [10, 20, 30], v: 4 },
        { weight: 0.75, mean: [100, 100, 100], v: 9 },
      ]),
    );
    const expected =
      (0.25 / Math.sqrt(64)) * Math.exp(-0.5 * ((1 + 4 + 0) / 4)) +
      (0.75 / Math.sqrt(729)) * Math.exp(-0.5 * ((89 ** 2 + 78 ** 2 + 70 ** 2) / 9));
    expect(gmm.density(11, 22, 30)).toBeCloseTo(expected, 12);
  });

  it('refuses parameters of the wrong length', () => {
    expect(() => new ColourModel(new Float64Array(13))).toThrow(/65 values, got 13/);
  });
});

describe('colourAgreement', () => {
  const object = new ColourModel(model([{ weight: 1, mean: [200, 50, 50], v: 100 }]));
  const background = new ColourModel(model([{ weight: 1, mean: [50, 50, 200], v: 100 }]));
  // Four pixels: two object-coloured, two background-coloured.
  const pixels = Uint8Array.from([200, 50, 50, 195, 55, 50, 50, 50, 200, 52, 48, 205]);

  it('is 1 for the mask the colour models would draw', () => {
    expect(colourAgreement(pixels, Uint8Array.from([1, 1, 0, 0]), object, background)).toBe(1);
  });

  it('drops for a mask that takes part of a colour region and leaves the rest', () => {
    expect(colourAgreement(pixels, Uint8Array.from([1, 0, 0, 0]), object, background)).toBe(0.5);
    expect(colourAgreement(pixels, Uint8Array.from([1, 1, 1, 0]), object, background)).toBeCloseTo(
      2 / 3,
      12,
    );
  });
});
