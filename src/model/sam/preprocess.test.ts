import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../dataset/raw-image.js';
import { objectsScene, sam1Inputs, sam2Input } from '../../../tools/test-models/test-support.js';
import { EmbeddingError } from './errors.js';
import { InputBufferPool } from './input-buffer-pool.js';
import {
  a1Input,
  encoderInput,
  inputTensor,
  NCHW_INPUT_BYTES,
  sam1Nchw,
  sam2Nchw,
  SAM1_PIXEL_MEAN,
  SAM1_PIXEL_STD,
  SAM2_PIXEL_MEAN,
  SAM2_PIXEL_STD,
} from './preprocess.js';
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

/** A width x height picture whose channels run through every 8-bit value, each differently. */
function everyValue(width: number, height: number): RawImage {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[3 * i] = i % 256;
    data[3 * i + 1] = (i * 7 + 3) % 256;
    data[3 * i + 2] = 255 - (i % 256);
  }
  return { width, height, data };
}

/** Per pixel, as the references write it (numpy float math, stored as float32). */
function plainNchw(
  rgb: RawImage,
  divisor: number,
  mean: readonly number[],
  std: readonly number[],
) {
  const out = new Float32Array(3 * 1024 * 1024);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < rgb.height; y++) {
      for (let x = 0; x < rgb.width; x++) {
        const v = rgb.data[3 * (y * rgb.width + x) + c]!;
        out[c * 1024 * 1024 + y * 1024 + x] = (v / divisor - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('NCHW normalisation', () => {
  it('gives every 8-bit value exactly what per-pixel arithmetic gives', () => {
    const rgb = everyValue(1024, 300);
    expect(sameBits(sam1Nchw(rgb), plainNchw(rgb, 1, SAM1_PIXEL_MEAN, SAM1_PIXEL_STD))).toBe(true);
    expect(sameBits(sam2Nchw(rgb), plainNchw(rgb, 255, SAM2_PIXEL_MEAN, SAM2_PIXEL_STD))).toBe(
      true,
    );
  });

  it('writes into a used buffer exactly what it writes into a fresh one', () => {
    const wide = everyValue(1024, 683);
    const tall = everyValue(683, 1024);
    const used = new Float32Array(3 * 1024 * 1024).fill(Number.NaN);
    sam1Nchw(wide, used);
    // The tall picture leaves the wide one's columns 683.. and the NaN below it to clear.
    expect(sameBits(sam1Nchw(tall, used), sam1Nchw(tall))).toBe(true);
    expect(sameBits(sam1Nchw(wide, used), sam1Nchw(wide))).toBe(true);
    expect(() => sam1Nchw(wide, new Float32Array(10))).toThrow(/3145728 values, not 10/);
  });

  it('takes its buffer from the pool when the pool has one', () => {
    const pool = new InputBufferPool(NCHW_INPUT_BYTES);
    const encoder = { kind: 'A2', input: 'image' } as const;
    const first = inputTensor(encoder, everyValue(800, 600), pool);
    pool.give(first.data.buffer as ArrayBuffer);
    pool.give(new ArrayBuffer(16)); // another size: not kept
    expect(pool.size).toBe(1);
    const second = inputTensor(encoder, everyValue(600, 800), pool);
    expect(second.data.buffer).toBe(first.data.buffer);
    expect(pool.size).toBe(0);
    expect(sameBits(second.data as Float32Array, sam1Nchw(everyValue(600, 800)))).toBe(true);
  });
});
