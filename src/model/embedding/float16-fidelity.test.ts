import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModels, LOW_RES_SIZE, MODEL_SIZE } from '../../../tools/test-models/index.js';
import {
  maskIou,
  maskOfPlane,
  objectsScene,
  sam1Inputs,
  sam2Input,
  type ObjectsScene,
} from '../../../tools/test-models/test-support.js';
import { DiskCache } from '../../cache/index.js';
import type { Embedding } from '../segmenter.js';
import { decodeEmbedding, encodeEmbedding, type DiskDtype } from './tensor-codec.js';
import { tempFolder } from './test-support.js';

/**
 * What float16 on disk costs in answers: real encoder outputs of the generated SAM test models
 * (contract A: image_embeddings; contract B: its three feature maps) go through the disk cache
 * as float16 and as float32, and the decoders answer the same prompts from both. The figures are
 * printed for the engineering notes.
 */

type Click = [x: number, y: number, label: number];

const folder = tempFolder('fidelity');
let disk: DiskCache;
const scene: ObjectsScene = objectsScene(640, 480);
const sessions: ort.InferenceSession[] = [];

beforeAll(async () => {
  disk = await DiskCache.open({ dir: folder.dir, capBytes: 1 << 30 });
});
afterAll(async () => {
  for (const session of sessions) await session.release();
  folder.remove();
});

async function session(file: string): Promise<ort.InferenceSession> {
  const made = await ort.InferenceSession.create(file);
  sessions.push(made);
  return made;
}

/** The embedding after a trip through the disk cache as `dtype`. */
async function throughDisk(embedding: Embedding, dtype: DiskDtype): Promise<Embedding> {
  const key = `${embedding.modelId}/${dtype}`;
  const { payload, meta } = encodeEmbedding(embedding, dtype);
  await disk.set(key, payload, meta);
  const entry = (await disk.get(key))!;
  return decodeEmbedding(entry.payload, entry.meta, embedding);
}

function embeddingOf(modelId: string, outputs: ort.InferenceSession.OnnxValueMapType): Embedding {
  const tensors: Embedding['tensors'] = {};
  for (const [name, value] of Object.entries(outputs)) {
    const tensor = value as ort.Tensor;
    tensors[name] = { dims: [...tensor.dims], data: tensor.data as Float32Array };
  }
  return { modelId, imageKey: 'scene', original: { width: 640, height: 480 }, tensors };
}

/** Largest |a - b| over every tensor, and the largest |a|. */
function maxError(a: Embedding, b: Embedding): { maxAbs: number; largest: number } {
  let maxAbs = 0;
  let largest = 0;
  for (const [name, tensor] of Object.entries(a.tensors)) {
    const other = b.tensors[name]!.data;
    tensor.data.forEach((value, i) => {
      maxAbs = Math.max(maxAbs, Math.abs(value - other[i]!));
      largest = Math.max(largest, Math.abs(value));
    });
  }
  return { maxAbs, largest };
}

function feeds(embedding: Embedding): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(embedding.tensors).map(([name, t]) => [
      name,
      new ort.Tensor('float32', t.data as Float32Array, t.dims),
    ]),
  );
}

function promptFeeds(clicks: Click[], toModel: (x: number, y: number) => [number, number]) {
  const coords = new Float32Array(clicks.length * 2);
  const labels = new Float32Array(clicks.length);
  clicks.forEach(([x, y, label], i) => {
    coords.set(label === -1 ? [x, y] : toModel(x, y), i * 2);
    labels[i] = label;
  });
  return {
    point_coords: new ort.Tensor('float32', coords, [1, clicks.length, 2]),
    point_labels: new ort.Tensor('float32', labels, [1, clicks.length]),
    mask_input: new ort.Tensor('float32', new Float32Array(LOW_RES_SIZE ** 2), [
      1,
      1,
      LOW_RES_SIZE,
      LOW_RES_SIZE,
    ]),
    has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
  };
}

const [bx0, by0, bx1, by1] = scene.blueBox;
/** Single clicks, a negative click, and a box (corner labels 2, 3). */
const PROMPTS: Click[][] = [
  [[...scene.inside.rect, 1]],
  [[...scene.inside.twin, 1]],
  [[...scene.inside.blue, 1]],
  [[...scene.inside.background, 1]],
  [
    [...scene.inside.rect, 1],
    [...scene.inside.twin, 0],
  ],
  [
    [bx0, by0, 2],
    [bx1, by1, 3],
  ],
];

interface Comparison {
  minIou: number;
  maxScoreDifference: number;
  masks: number;
}

/** Every candidate mask and score the decoder gives for PROMPTS, from both embeddings. */
async function compareAnswers(
  run: (embedding: Embedding, clicks: Click[]) => Promise<{ logits: ort.Tensor; iou: ort.Tensor }>,
  exact: Embedding,
  halved: Embedding,
): Promise<Comparison> {
  let minIou = 1;
  let maxScoreDifference = 0;
  let masks = 0;
  for (const clicks of PROMPTS) {
    const a = await run(exact, clicks);
    const b = await run(halved, clicks);
    const [, planes = 0, height = 0, width = 0] = a.logits.dims;
    for (let k = 0; k < planes; k++) {
      const maskA = maskOfPlane(a.logits.data as Float32Array, k, width, height);
      const maskB = maskOfPlane(b.logits.data as Float32Array, k, width, height);
      minIou = Math.min(minIou, maskIou(maskA, maskB));
      const scoreA = (a.iou.data as Float32Array)[k]!;
      const scoreB = (b.iou.data as Float32Array)[k]!;
      maxScoreDifference = Math.max(maxScoreDifference, Math.abs(scoreA - scoreB));
      masks++;
    }
  }
  return { minIou, maxScoreDifference, masks };
}

describe('float16 disk cache: error and mask agreement on the generated SAM models', () => {
  it('contract A (image_embeddings, C=4 decoder): small error, the same masks', async () => {
    const models = await ensureTestModels();
    const encoder = await session(models.encoderA1);
    const decoder = await session(models.decoderMulti);
    const input = sam1Inputs(scene);
    const outputs = await encoder.run({
      input_image: new ort.Tensor('float32', input.hwc, [
        input.resized.height,
        input.resized.width,
        3,
      ]),
    });
    const embedding = embeddingOf('sam1-test', outputs);
    const exact = await throughDisk(embedding, 'float32');
    const halved = await throughDisk(embedding, 'float16');
    expect(maxError(embedding, exact).maxAbs).toBe(0);
    const error = maxError(embedding, halved);

    const answers = await compareAnswers(
      async (e, clicks) => {
        const hasBox = clicks.some(([, , label]) => label === 2);
        const out = await decoder.run({
          ...feeds(e),
          ...promptFeeds(hasBox ? clicks : [...clicks, [0, 0, -1]], input.toModel),
          orig_im_size: new ort.Tensor('float32', new Float32Array([480, 640]), [2]),
        });
        return { logits: out.masks as ort.Tensor, iou: out.iou_predictions as ort.Tensor };
      },
      exact,
      halved,
    );
    console.log(
      `float16 vs float32, contract A: max abs error ${error.maxAbs.toExponential(3)} ` +
        `(largest |value| ${error.largest.toFixed(3)}); ${answers.masks} masks at 640x480, ` +
        `min IoU ${answers.minIou.toFixed(5)}, max score difference ${answers.maxScoreDifference.toExponential(2)}`,
    );
    expect(error.maxAbs).toBeGreaterThan(0);
    expect(error.maxAbs).toBeLessThanOrEqual(error.largest * 2 ** -11);
    expect(answers.masks).toBe(PROMPTS.length * 4);
    expect(answers.minIou).toBeGreaterThanOrEqual(0.99);
  });

  it('contract B (three feature maps): small error, the same masks', async () => {
    const models = await ensureTestModels();
    const encoder = await session(models.encoderSam2);
    const decoder = await session(models.decoderSam2);
    const outputs = await encoder.run({
      image: new ort.Tensor('float32', sam2Input(scene), [1, 3, MODEL_SIZE, MODEL_SIZE]),
    });
    const embedding = embeddingOf('sam2-test', outputs);
    expect(Object.keys(embedding.tensors).sort()).toEqual([
      'high_res_feats_0',
      'high_res_feats_1',
      'image_embed',
    ]);
    const exact = await throughDisk(embedding, 'float32');
    const halved = await throughDisk(embedding, 'float16');
    const error = maxError(embedding, halved);
    const toModel = (x: number, y: number): [number, number] => [
      (x * MODEL_SIZE) / 640,
      (y * MODEL_SIZE) / 480,
    ];

    const answers = await compareAnswers(
      async (e, clicks) => {
        // Contract B: box corners first, no padding point (the graph adds it).
        const ordered = [...clicks].sort((p, q) => Number(q[2] >= 2) - Number(p[2] >= 2));
        const out = await decoder.run({ ...feeds(e), ...promptFeeds(ordered, toModel) });
        return { logits: out.masks as ort.Tensor, iou: out.iou_predictions as ort.Tensor };
      },
      exact,
      halved,
    );
    console.log(
      `float16 vs float32, contract B: max abs error ${error.maxAbs.toExponential(3)} ` +
        `(largest |value| ${error.largest.toFixed(3)}); ${answers.masks} masks at 256x256, ` +
        `min IoU ${answers.minIou.toFixed(5)}, max score difference ${answers.maxScoreDifference.toExponential(2)}`,
    );
    expect(error.maxAbs).toBeLessThanOrEqual(error.largest * 2 ** -11);
    expect(answers.masks).toBe(PROMPTS.length * 3);
    expect(answers.minIou).toBeGreaterThanOrEqual(0.99);
  });
});
