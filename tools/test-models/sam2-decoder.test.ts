import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModels } from './ensure.js';
import { LOW_RES_SIZE, MODEL_SIZE } from './model-frame.js';
import {
  coverage,
  maskIou,
  maskOfPlane,
  maskOnModelGrid,
  objectsScene,
  sam2Input,
} from './test-support.js';

const [WIDTH, HEIGHT] = [640, 480];
const scene = objectsScene(WIDTH, HEIGHT);
const masks = scene.masks as Record<'rect' | 'twin' | 'blue', Uint8Array>;
const truth = (name: 'rect' | 'twin' | 'blue') =>
  maskOnModelGrid(masks[name], WIDTH, HEIGHT, MODEL_SIZE, MODEL_SIZE, LOW_RES_SIZE);
/** Contract B point transform: straight squash to 1024 x 1024. */
const toModel = ([x, y]: [number, number]): [number, number] => [
  (x * MODEL_SIZE) / WIDTH,
  (y * MODEL_SIZE) / HEIGHT,
];

let decoder: ort.InferenceSession;
let features: Record<string, ort.Tensor>;

beforeAll(async () => {
  const models = await ensureTestModels();
  const encoder = await ort.InferenceSession.create(models.encoderSam2);
  const out = await encoder.run({
    image: new ort.Tensor('float32', sam2Input(scene), [1, 3, MODEL_SIZE, MODEL_SIZE]),
  });
  await encoder.release();
  features = {
    image_embed: out.image_embed as ort.Tensor,
    high_res_feats_0: out.high_res_feats_0 as ort.Tensor,
    high_res_feats_1: out.high_res_feats_1 as ort.Tensor,
  };
  decoder = await ort.InferenceSession.create(models.decoderSam2);
});
afterAll(async () => {
  await decoder?.release();
});

/** One prompt per batch row, each a list of [x, y, label] in original pixels; equal lengths. */
async function decode(
  prompts: [number, number, number][][],
  featureOverride: Record<string, ort.Tensor> = {},
) {
  const batch = prompts.length;
  const count = prompts[0]?.length ?? 0;
  const coords = new Float32Array(batch * count * 2);
  const labels = new Float32Array(batch * count);
  prompts.forEach((prompt, b) =>
    prompt.forEach(([x, y, label], i) => {
      coords.set(toModel([x, y]), (b * count + i) * 2);
      labels[b * count + i] = label;
    }),
  );
  const out = await decoder.run({
    ...features,
    ...featureOverride,
    point_coords: new ort.Tensor('float32', coords, [batch, count, 2]),
    point_labels: new ort.Tensor('float32', labels, [batch, count]),
    mask_input: new ort.Tensor('float32', new Float32Array(batch * LOW_RES_SIZE ** 2), [
      batch,
      1,
      LOW_RES_SIZE,
      LOW_RES_SIZE,
    ]),
    has_mask_input: new ort.Tensor('float32', new Float32Array(batch), [batch]),
  });
  return { masks: out.masks as ort.Tensor, iou: out.iou_predictions as ort.Tensor };
}

const candidate = (data: Float32Array, row: number, k: number) =>
  maskOfPlane(data, row * 3 + k, LOW_RES_SIZE, LOW_RES_SIZE);

describe('contract B decoder', () => {
  it('serves a batch of prompts, one answer row each, logits clamped to +-32', async () => {
    const { masks: out, iou } = await decode([
      [[...scene.inside.blue, 1]],
      [[...scene.inside.rect, 1]],
    ]);
    expect(out.dims).toEqual([2, 3, LOW_RES_SIZE, LOW_RES_SIZE]);
    expect(iou.dims).toEqual([2, 3]);
    const data = out.data as Float32Array;
    const [lowest, highest] = data.reduce(
      ([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)],
      [0, 0],
    );
    expect(lowest).toBe(-32);
    expect(highest).toBeLessThanOrEqual(32);
    expect(maskIou(candidate(data, 0, 1), truth('blue'))).toBeGreaterThanOrEqual(0.9);
    expect(maskIou(candidate(data, 1, 0), truth('rect'))).toBeGreaterThanOrEqual(0.9);
    expect(coverage(candidate(data, 1, 2), truth('twin'))).toBeGreaterThan(0.9);
  });

  it('a negative click removes the similar object; a box selects what it holds', async () => {
    const [x0, y0, x1, y1] = scene.blueBox;
    const { masks: out } = await decode([
      [
        [...scene.inside.rect, 1],
        [...scene.inside.twin, 0],
      ],
      [
        [x0, y0, 2],
        [x1, y1, 3],
      ],
    ]);
    const data = out.data as Float32Array;
    for (const k of [0, 1, 2])
      expect(coverage(candidate(data, 0, k), truth('twin'))).toBeLessThan(0.02);
    expect(maskIou(candidate(data, 0, 1), truth('rect'))).toBeGreaterThanOrEqual(0.9);
    expect(maskIou(candidate(data, 1, 1), truth('blue'))).toBeGreaterThanOrEqual(0.9);
  });

  it('uses all three feature maps', async () => {
    // Clicks read high_res_feats_1, boxes image_embed, every pixel high_res_feats_0.
    const [x0, y0, x1, y1] = scene.blueBox;
    const prompt: [number, number, number][][] = [
      [
        [...scene.inside.blue, 1],
        [...scene.inside.blue, 1],
      ],
      [
        [x0, y0, 2],
        [x1, y1, 3],
      ],
    ];
    const base = (await decode(prompt)).masks.data as Float32Array;
    for (const name of ['high_res_feats_0', 'high_res_feats_1', 'image_embed']) {
      const original = features[name] as ort.Tensor;
      const shifted = Float32Array.from(original.data as Float32Array, (v) => v + 0.7);
      const changed = await decode(prompt, {
        [name]: new ort.Tensor('float32', shifted, original.dims),
      });
      expect(changed.masks.data, name).not.toEqual(base);
    }
  });
});
