import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestModelPaths } from './catalog.js';
import { ensureTestModels } from './ensure.js';
import { buildHeavyEncoderA2, heavyEncoderPlan } from './heavy-encoder.js';
import { MODEL_SIZE, SAM2_FEATURES, packedBlockColour } from './model-frame.js';
import { objectsScene, sam1Inputs, sam2Input } from './test-support.js';
import type { Sam1Inputs } from './test-support.js';

let models: TestModelPaths;
let scratch: string;
beforeAll(async () => {
  models = await ensureTestModels();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'test-models-encoders-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function runOnce(
  file: string,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(file);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function a2Feed(name: string, input: Sam1Inputs): Record<string, ort.Tensor> {
  return { [name]: new ort.Tensor('float32', input.nchw, [1, 3, MODEL_SIZE, MODEL_SIZE]) };
}

async function embeddingOf(file: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const out = await runOnce(file, feeds);
  return out.image_embeddings?.data as Float32Array;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

/** Mean of the normalised A2 input over the 4x4 block containing (x, y). */
function blockMean(nchw: Float32Array, x: number, y: number, channel: number): number {
  const x0 = Math.floor(x / 4) * 4;
  const y0 = Math.floor(y / 4) * 4;
  let sum = 0;
  for (let dy = 0; dy < 4; dy += 1) {
    for (let dx = 0; dx < 4; dx += 1)
      sum += nchw[channel * MODEL_SIZE * MODEL_SIZE + (y0 + dy) * MODEL_SIZE + x0 + dx] ?? 0;
  }
  return sum / 16;
}

describe('contract A encoders', () => {
  // 1000 x 872: resized to 893 x 1024, so the last block column is cut by the padding edge.
  const scene = objectsScene(872, 1000);
  const input = sam1Inputs(scene);

  it('A1 (float and uint8, preprocessing in graph) and A2 (both input names) give one embedding', async () => {
    const hw = [input.resized.height, input.resized.width, 3];
    const a1 = await embeddingOf(models.encoderA1, {
      input_image: new ort.Tensor('float32', input.hwc, hw),
    });
    const a1u8 = await embeddingOf(models.encoderA1Uint8, {
      input_image: new ort.Tensor('uint8', Uint8Array.from(input.hwc), hw),
    });
    const a2 = await embeddingOf(models.encoderA2, a2Feed('input_image', input));
    const a2image = await embeddingOf(models.encoderA2Image, a2Feed('image', input));
    expect(maxDifference(a1, a2)).toBeLessThan(1e-5);
    expect(maxDifference(a1u8, a2)).toBeLessThan(1e-5);
    expect(maxDifference(a2image, a2)).toBe(0);
  });

  it('packs the 4x4 block means of the normalised picture and a validity plane', async () => {
    const embedding = await embeddingOf(models.encoderA2, a2Feed('input_image', input));
    const probes: [number, number][] = [
      input.toModel(...scene.inside.blue),
      input.toModel(...scene.inside.rect),
      input.toModel(...scene.inside.background),
      [13, 1021],
      [887, 500],
    ];
    for (const [x, y] of probes) {
      const block = packedBlockColour(embedding, x, y);
      expect(block.valid).toBeCloseTo(1, 5);
      block.rgb.forEach((value, c) => expect(value).toBeCloseTo(blockMean(input.nchw, x, y, c), 4));
    }
    // Column 892 is the last image column: its block holds 1 image column out of 4.
    expect(packedBlockColour(embedding, 892, 500).valid).toBeCloseTo(0.25, 5);
    const padding = packedBlockColour(embedding, 900, 500);
    expect([...padding.rgb, padding.valid].map(Math.abs)).toEqual([0, 0, 0, 0]);
  });

  it('the heavy encoder returns the light embedding exactly', async () => {
    const file = path.join(scratch, 'heavy.onnx');
    await writeFile(file, buildHeavyEncoderA2(1));
    const heavy = await embeddingOf(file, a2Feed('input_image', input));
    const light = await embeddingOf(models.encoderA2, a2Feed('input_image', input));
    expect(maxDifference(heavy, light)).toBe(0);
  });
});

describe('heavy encoder plan', () => {
  it.each([1, 5, 40, 120])('costs within 5%% of %d GFLOPs', (target) => {
    const plan = heavyEncoderPlan(target);
    expect(Math.abs(plan.gflops - target) / target).toBeLessThan(0.05);
    expect(plan.channels).toBeGreaterThan(0);
  });

  it('rejects a cost that is not a positive number, naming the value', () => {
    expect(() => heavyEncoderPlan(0)).toThrow(/positive number, got 0/);
    expect(() => heavyEncoderPlan(Number.NaN)).toThrow(/got NaN/);
  });
});

describe('contract B encoder', () => {
  it('writes the squashed picture averaged to each grid in channels 0..2 of each map', async () => {
    const scene = objectsScene(640, 480);
    const image = sam2Input(scene);
    const out = await runOnce(models.encoderSam2, {
      image: new ort.Tensor('float32', image, [1, 3, MODEL_SIZE, MODEL_SIZE]),
    });
    for (const feature of SAM2_FEATURES) {
      const map = out[feature.name];
      expect(map?.dims).toEqual([1, feature.channels, feature.size, feature.size]);
      const data = map?.data as Float32Array;
      const block = MODEL_SIZE / feature.size;
      for (const [cx, cy] of [
        [3, 5],
        [feature.size - 1, feature.size / 2],
        [feature.size / 2, feature.size - 2],
      ] as const) {
        for (let c = 0; c < 3; c += 1) {
          let sum = 0;
          for (let y = cy * block; y < (cy + 1) * block; y += 1) {
            for (let x = cx * block; x < (cx + 1) * block; x += 1)
              sum += image[c * MODEL_SIZE * MODEL_SIZE + y * MODEL_SIZE + x] ?? 0;
          }
          const cell = c * feature.size * feature.size + cy * feature.size + cx;
          expect(data[cell]).toBeCloseTo(sum / block / block, 4);
        }
      }
      // The other channels carry information too (mixtures), as a real feature map would.
      expect(data.subarray(3 * feature.size * feature.size).some((v) => Math.abs(v) > 0.01)).toBe(
        true,
      );
    }
  });
});
