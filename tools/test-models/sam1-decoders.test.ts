import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestModelPaths } from './catalog.js';
import { ensureTestModels } from './ensure.js';
import { LOW_RES_SIZE, MODEL_SIZE } from './model-frame.js';
import {
  coverage,
  maskIou,
  maskOfPlane,
  maskOnModelGrid,
  objectsScene,
  resizeBilinear,
  sam1Inputs,
  sam1ResizedSize,
} from './test-support.js';
import type { ObjectsScene, Sam1Inputs } from './test-support.js';

/** A prompt in original pixels; label -1 points are passed through untransformed. */
type Click = [x: number, y: number, label: number];

interface Picture {
  scene: ObjectsScene;
  input: Sam1Inputs;
  embedding: ort.Tensor;
}

let models: TestModelPaths;
let sessions: Record<'single' | 'multi' | 'edge', ort.InferenceSession>;
let encoder: ort.InferenceSession;
const pictures = new Map<string, Picture>();

beforeAll(async () => {
  models = await ensureTestModels();
  encoder = await ort.InferenceSession.create(models.encoderA1);
  sessions = {
    single: await ort.InferenceSession.create(models.decoderSingle),
    multi: await ort.InferenceSession.create(models.decoderMulti),
    edge: await ort.InferenceSession.create(models.decoderEdgeSam),
  };
});
afterAll(async () => {
  for (const session of [encoder, ...Object.values(sessions ?? {})]) await session?.release();
});

/** The standard scene at height x width, encoded once by the A1 encoder. */
async function picture(height: number, width: number): Promise<Picture> {
  const key = `${height}x${width}`;
  const cached = pictures.get(key);
  if (cached) return cached;
  const scene = objectsScene(width, height);
  const input = sam1Inputs(scene);
  const hwc = new ort.Tensor('float32', input.hwc, [input.resized.height, input.resized.width, 3]);
  const out = await encoder.run({ input_image: hwc });
  const made = { scene, input, embedding: out.image_embeddings as ort.Tensor };
  pictures.set(key, made);
  return made;
}

function promptTensors(pic: Picture, clicks: Click[]): Record<string, ort.Tensor> {
  const coords = new Float32Array(clicks.length * 2);
  const labels = new Float32Array(clicks.length);
  clicks.forEach(([x, y, label], i) => {
    const [mx, my] = label === -1 ? [x, y] : pic.input.toModel(x, y);
    coords.set([mx, my], i * 2);
    labels[i] = label;
  });
  return {
    image_embeddings: pic.embedding,
    point_coords: new ort.Tensor('float32', coords, [1, clicks.length, 2]),
    point_labels: new ort.Tensor('float32', labels, [1, clicks.length]),
  };
}

async function decode(
  kind: 'single' | 'multi',
  pic: Picture,
  clicks: Click[],
  maskInput?: Float32Array,
): Promise<{ masks: ort.Tensor; iou: Float32Array; lowRes: Float32Array }> {
  const { width, height } = pic.scene;
  const out = await sessions[kind].run({
    ...promptTensors(pic, clicks),
    mask_input: new ort.Tensor('float32', maskInput ?? new Float32Array(LOW_RES_SIZE ** 2), [
      1,
      1,
      LOW_RES_SIZE,
      LOW_RES_SIZE,
    ]),
    has_mask_input: new ort.Tensor('float32', new Float32Array([maskInput ? 1 : 0]), [1]),
    orig_im_size: new ort.Tensor('float32', new Float32Array([height, width]), [2]),
  });
  return {
    masks: out.masks as ort.Tensor,
    iou: out.iou_predictions?.data as Float32Array,
    lowRes: out.low_res_masks?.data as Float32Array,
  };
}

function logitAt(masks: ort.Tensor, plane: number, [x, y]: [number, number]): number {
  const [, , height = 0, width = 0] = masks.dims;
  const data = masks.data as Float32Array;
  return data[plane * width * height + Math.floor(y) * width + Math.floor(x)] ?? NaN;
}

const withPadding = (clicks: Click[]): Click[] => [...clicks, [0, 0, -1]];

describe('contract A decoder, single mask', () => {
  it.each([
    [480, 640],
    [1000, 872],
    [300, 451],
  ])('%dx%d: masks have orig_im_size and a click covers the flat object', async (height, width) => {
    const pic = await picture(height, width);
    const { masks, iou } = await decode(
      'single',
      pic,
      withPadding([[...pic.scene.inside.blue, 1]]),
    );
    expect(masks.dims).toEqual([1, 1, height, width]);
    const mask = maskOfPlane(masks.data as Float32Array, 0, width, height);
    expect(maskIou(mask, pic.scene.masks.blue as Uint8Array)).toBeGreaterThanOrEqual(0.9);
    expect(logitAt(masks, 0, pic.scene.inside.blue)).toBeGreaterThan(0);
    expect(logitAt(masks, 0, pic.scene.inside.background)).toBeLessThan(0);
    expect(iou[0]).toBeGreaterThan(0.5);
  });

  it('a negative click on the similar second object removes it', async () => {
    const pic = await picture(480, 640);
    const { rect, twin } = pic.scene.masks as Record<string, Uint8Array>;
    // Two clicks: the single-mask answer (token 0) in both cases.
    const positiveOnly = await decode(
      'single',
      pic,
      withPadding([
        [...pic.scene.inside.rect, 1],
        [...pic.scene.inside.rect, 1],
      ]),
    );
    const merged = maskOfPlane(positiveOnly.masks.data as Float32Array, 0, 640, 480);
    expect(coverage(merged, twin as Uint8Array)).toBeGreaterThan(0.9);

    const { masks } = await decode(
      'single',
      pic,
      withPadding([
        [...pic.scene.inside.rect, 1],
        [...pic.scene.inside.twin, 0],
      ]),
    );
    const mask = maskOfPlane(masks.data as Float32Array, 0, 640, 480);
    expect(coverage(mask, twin as Uint8Array)).toBeLessThan(0.02);
    expect(maskIou(mask, rect as Uint8Array)).toBeGreaterThanOrEqual(0.9);
  });

  it('a box alone selects the object inside it and nothing outside the box', async () => {
    const pic = await picture(480, 640);
    const [x0, y0, x1, y1] = pic.scene.blueBox;
    const { masks } = await decode('single', pic, [
      [x0, y0, 2],
      [x1, y1, 3],
    ]);
    const mask = maskOfPlane(masks.data as Float32Array, 0, 640, 480);
    expect(maskIou(mask, pic.scene.masks.blue as Uint8Array)).toBeGreaterThanOrEqual(0.9);
    let outside = 0;
    mask.forEach((on, i) => {
      const x = i % 640;
      const y = Math.floor(i / 640);
      if (on && (x < x0 - 4 || x > x1 + 4 || y < y0 - 4 || y > y1 + 4)) outside += 1;
    });
    expect(outside).toBe(0);
  });

  it('a box around two objects with a click keeps the clicked colour inside the box only', async () => {
    const pic = await picture(480, 640);
    const { masks } = await decode('single', pic, [
      [...pic.scene.inside.rect, 1],
      [0, 0, 2],
      [320, 240, 3],
    ]);
    const mask = maskOfPlane(masks.data as Float32Array, 0, 640, 480);
    expect(coverage(mask, pic.scene.masks.rect as Uint8Array)).toBeGreaterThan(0.9);
    expect(coverage(mask, pic.scene.masks.twin as Uint8Array)).toBe(0);
  });

  it('padding points (label -1) are ignored', async () => {
    const pic = await picture(480, 640);
    const click: Click = [...pic.scene.inside.blue, 1];
    const plain = await decode('multi', pic, withPadding([click]));
    const extra = await decode('multi', pic, [click, [...pic.scene.inside.rect, -1], [0, 0, -1]]);
    expect(extra.lowRes).toEqual(plain.lowRes);
  });

  it('has_mask_input = 1 adds mask_input to the logits; 0 ignores it', async () => {
    const pic = await picture(480, 640);
    const clicks = withPadding([[...pic.scene.inside.blue, 1]]);
    // A strong prior over a background patch: low-res rows 120..170, columns 10..40.
    const prior = new Float32Array(LOW_RES_SIZE ** 2);
    for (let y = 120; y < 170; y += 1) prior.fill(40, y * LOW_RES_SIZE + 10, y * LOW_RES_SIZE + 40);
    const without = await decode('multi', pic, clicks);
    const ignored = await sessions.multi.run({
      ...promptTensors(pic, clicks),
      mask_input: new ort.Tensor('float32', prior, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]),
      has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
      orig_im_size: new ort.Tensor('float32', new Float32Array([480, 640]), [2]),
    });
    expect(ignored.low_res_masks?.data).toEqual(without.lowRes);
    const refined = await decode('multi', pic, clicks, prior);
    const cell = 135 * LOW_RES_SIZE + 25;
    expect(without.lowRes[cell]).toBeLessThan(0);
    expect(refined.lowRes[cell]).toBeGreaterThan(0);
    expect(maskOfPlane(refined.lowRes, 0, LOW_RES_SIZE, LOW_RES_SIZE)[100 * LOW_RES_SIZE + 5]).toBe(
      0,
    );
  });
});

describe('contract A decoder, four masks', () => {
  it('candidates differ in extent and predicted IoU', async () => {
    const pic = await picture(480, 640);
    const { masks, iou, lowRes } = await decode(
      'multi',
      pic,
      withPadding([[...pic.scene.inside.rect, 1]]),
    );
    expect(masks.dims).toEqual([1, 4, 480, 640]);
    const areas = [0, 1, 2, 3].map((k) =>
      maskOfPlane(lowRes, k, LOW_RES_SIZE, LOW_RES_SIZE).reduce((a, b) => a + b, 0),
    );
    expect(new Set(areas).size).toBeGreaterThanOrEqual(3);
    expect(new Set(Array.from(iou)).size).toBe(4);
    expect(Math.min(...iou)).toBeGreaterThan(0);
    expect(Math.max(...iou)).toBeLessThanOrEqual(1);
    // Tight candidate 1 keeps the clicked rectangle only; loose candidate 3 takes the twin too.
    const twin = pic.scene.masks.twin as Uint8Array;
    expect(coverage(maskOfPlane(masks.data as Float32Array, 1, 640, 480), twin)).toBe(0);
    expect(coverage(maskOfPlane(masks.data as Float32Array, 3, 640, 480), twin)).toBeGreaterThan(
      0.9,
    );
  });

  it('the single-mask file returns the best of 1..3 for one click and token 0 for more', async () => {
    const pic = await picture(480, 640);
    const plane = (data: Float32Array, k: number) =>
      data.subarray(k * LOW_RES_SIZE ** 2, (k + 1) * LOW_RES_SIZE ** 2);
    for (const clicks of [
      withPadding([[...pic.scene.inside.rect, 1]]),
      withPadding([
        [...pic.scene.inside.rect, 1],
        [...pic.scene.inside.blue, 0],
      ]),
    ]) {
      const multi = await decode('multi', pic, clicks);
      const single = await decode('single', pic, clicks);
      const scores = Array.from(multi.iou);
      const best =
        clicks.length === 2 ? 1 + scores.slice(1).indexOf(Math.max(...scores.slice(1))) : 0;
      expect(single.lowRes).toEqual(plane(multi.lowRes, best));
      expect(single.iou[0]).toBe(multi.iou[best]);
    }
  });

  it('masks are low_res_masks upsampled to 1024, cropped to the resized size, resized to the original', async () => {
    const [height, width] = [1000, 872];
    const pic = await picture(height, width);
    const { masks, lowRes } = await decode(
      'multi',
      pic,
      withPadding([[...pic.scene.inside.twin, 1]]),
    );
    const resized = sam1ResizedSize(width, height);
    expect(resized).toEqual({ width: 893, height: 1024 });
    const plane = lowRes.subarray(2 * LOW_RES_SIZE ** 2, 3 * LOW_RES_SIZE ** 2);
    const full = resizeBilinear(plane, 1, LOW_RES_SIZE, LOW_RES_SIZE, MODEL_SIZE, MODEL_SIZE);
    const cropped = new Float32Array(resized.width * resized.height);
    for (let y = 0; y < resized.height; y += 1)
      cropped.set(full.subarray(y * MODEL_SIZE, y * MODEL_SIZE + resized.width), y * resized.width);
    const expected = resizeBilinear(cropped, 1, resized.width, resized.height, width, height);
    const actual = (masks.data as Float32Array).subarray(2 * width * height, 3 * width * height);
    let worst = 0;
    for (let i = 0; i < expected.length; i += 1)
      worst = Math.max(worst, Math.abs((expected[i] ?? 0) - (actual[i] ?? 0)));
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('EdgeSAM-style decoder', () => {
  it('returns four low-res masks and scores; a click covers the object on the 256 grid', async () => {
    const pic = await picture(480, 640);
    const out = await sessions.edge.run(
      promptTensors(pic, withPadding([[...pic.scene.inside.blue, 1]])),
    );
    expect(out.scores?.dims).toEqual([1, 4]);
    expect(out.masks?.dims).toEqual([1, 4, LOW_RES_SIZE, LOW_RES_SIZE]);
    const { width, height } = pic.input.resized;
    const truth = maskOnModelGrid(
      pic.scene.masks.blue as Uint8Array,
      640,
      480,
      width,
      height,
      LOW_RES_SIZE,
    );
    const mask = maskOfPlane(out.masks?.data as Float32Array, 0, LOW_RES_SIZE, LOW_RES_SIZE);
    expect(maskIou(mask, truth)).toBeGreaterThanOrEqual(0.9);
    // Same head as the contract A file: its candidates agree with the multimask decoder's.
    const multi = await decode('multi', pic, withPadding([[...pic.scene.inside.blue, 1]]));
    expect(Array.from(out.scores?.data as Float32Array)).toEqual(Array.from(multi.iou));
  });
});
