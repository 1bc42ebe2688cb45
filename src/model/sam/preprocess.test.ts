import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../dataset/raw-image.js';
import { objectsScene, sam1Inputs, sam2Input } from '../../../tools/test-models/test-support.js';
import { EmbeddingError } from './errors.js';
import { a1Input, encoderInput, sam1Nchw, sam2Nchw } from './preprocess.js';
import { sceneImage } from './sam-test-support.js';

function raw(scene: { width: number; height: number; rgb: Uint8Array }): RawImage {
  return { width: scene.width, height: scene.height, data: Buffer.from(scene.rgb) };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('encoder preprocessing against the plain reference of the test generator', () => {
  // Already at the model size, so both sides skip resizing and only the layout is compared.
  const wide = objectsScene(1024, 683);
  const square = objectsScene(1024, 1024);
  const reference = sam1Inputs(wide);

  it('A2: SAM mean/std on 0-255, zero padding bottom/right, NCHW', () => {
    const ours = sam1Nchw(raw(wide));
    expect(maxDifference(ours, reference.nchw)).toBeLessThan(1e-6);
    // The padding rows below the picture are exactly 0 in every channel.
    expect(ours[1024 * 683 + 5]).toBe(0);
    expect(ours[2 * 1024 * 1024 + 1024 * 1023 + 1023]).toBe(0);
  });

  it('B: [0,1] scale, ImageNet mean/std, NCHW', () => {
    expect(maxDifference(sam2Nchw(raw(square)), sam2Input(square))).toBeLessThan(1e-6);
  });

  it('A1: raw HWC in the declared type', () => {
    const f = a1Input('input_image', 'float32', raw(wide));
    expect(f.dims).toEqual([683, 1024, 3]);
    expect(maxDifference(f.data as Float32Array, reference.hwc)).toBe(0);
    const u = a1Input('input_image', 'uint8', raw(wide));
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(u.data[3 * (100 * 1024 + 200) + 2]).toBe(wide.rgb[3 * (100 * 1024 + 200) + 2]);
  });

  it('asks the image for the contract size and checks what it got', async () => {
    const image = await sceneImage(objectsScene(480, 640));
    const a = await encoderInput({ kind: 'A1', input: 'input_image', inputType: 'float32' }, image);
    expect(a.dims).toEqual([1024, 768, 3]);
    const b = await encoderInput({ kind: 'B', input: 'image' }, image);
    expect(b.dims).toEqual([1, 3, 1024, 1024]);

    const liar = { ...image, modelInput: () => image.modelInput('squash') };
    await expect(encoderInput({ kind: 'A2', input: 'image' }, liar)).rejects.toThrow(
      EmbeddingError,
    );
    await expect(encoderInput({ kind: 'A2', input: 'image' }, liar)).rejects.toThrow(
      /longest-side model input is 1024x1024, expected 768x1024/,
    );
  });
});
