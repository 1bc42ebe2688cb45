import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  bitmapFrom,
  bitmapIou,
  decodeRle,
  type Bitmap,
} from '../../geometry/index.js';
import { ensureTestModels, type TestModelPaths } from '../../../tools/test-models/index.js';
import {
  coverage,
  objectsScene,
  type ObjectsScene,
} from '../../../tools/test-models/test-support.js';
import { PromptError, type Candidate, type Embedding, type Prompt } from '../segmenter.js';
import { decoderFeeds } from './decoder-feeds.js';
import { EmbeddingError, ModelContractError, ModelLoadError } from './errors.js';
import { openSamSegmenter, type SamSegmenter } from './sam-segmenter.js';
import {
  openTestPair,
  recordingLogger,
  sceneImage,
  type DecoderRole,
  type EncoderRole,
} from './sam-test-support.js';

let models: TestModelPaths;
let tmp: string;
const scenes: Record<string, ObjectsScene> = {};

beforeAll(async () => {
  models = await ensureTestModels();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-segmenter-'));
  // Non-square originals, one portrait smaller than the frame and one landscape just under it.
  scenes.portrait = objectsScene(480, 640);
  scenes.landscape = objectsScene(1000, 872);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function maskOf(scene: ObjectsScene, name: keyof ObjectsScene['masks'] & string): Bitmap {
  return bitmapFrom(scene.width, scene.height, scene.masks[name]!);
}

function click(scene: ObjectsScene, name: keyof ObjectsScene['inside'], label: 0 | 1 = 1) {
  const [x, y] = scene.inside[name];
  return { x, y, label };
}

function bestIou(candidates: Candidate[], target: Bitmap): number {
  return Math.max(...candidates.map((c) => bitmapIou(c.mask, target)));
}

function maxCoverage(candidates: Candidate[], region: Uint8Array): number {
  return Math.max(...candidates.map((c) => coverage(c.mask.data, region)));
}

/** Every candidate's parts describe the same mask. */
function expectConsistent(candidates: Candidate[], scene: ObjectsScene): void {
  for (const c of candidates) {
    expect([c.mask.width, c.mask.height]).toEqual([scene.width, scene.height]);
    expect(bitmapEquals(decodeRle(c.rle), c.mask)).toBe(true);
    expect(c.bbox).toEqual(bitmapBbox(c.mask));
    expect(c.area).toBe(bitmapArea(c.mask));
    expect(c.stabilityScore).toBeGreaterThanOrEqual(0);
    expect(c.stabilityScore).toBeLessThanOrEqual(1);
  }
}

const PAIRS: [EncoderRole, DecoderRole, string, number, number][] = [
  // encoder, decoder, kind, candidates for one click, candidates for two clicks
  ['encoderA1', 'decoderSingle', 'sam1', 1, 1],
  ['encoderA1Uint8', 'decoderMulti', 'sam1', 3, 4],
  ['encoderA2', 'decoderMulti', 'sam1', 3, 4],
  ['encoderA2Image', 'decoderEdgeSam', 'sam1', 3, 4],
  ['encoderSam2', 'decoderSam2', 'sam2', 3, 3],
];

describe.each(PAIRS)('%s + %s', (encoderRole, decoderRole, kind, oneClick, twoClicks) => {
  let segmenter: SamSegmenter;
  beforeAll(async () => {
    segmenter = await openTestPair(encoderRole, decoderRole, { models });
  });
  afterAll(async () => {
    await segmenter.release();
  });

  it.each(['portrait', 'landscape'])('segments the %s scene at its original size', async (name) => {
    const scene = scenes[name]!;
    expect(segmenter.kind).toBe(kind);
    const embedding = await segmenter.encode(await sceneImage(scene));
    expect(embedding.original).toEqual({ width: scene.width, height: scene.height });

    // A click inside the blue disc.
    const blue = await segmenter.predict(embedding, { points: [click(scene, 'blue')] });
    expect(blue).toHaveLength(oneClick);
    expect(bestIou(blue, maskOf(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    expectConsistent(blue, scene);
    const ranked = blue.map((c) =>
      decoderRole === 'decoderEdgeSam' ? c.stabilityScore : c.predictedIou,
    );
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    for (const c of blue) {
      if (decoderRole === 'decoderEdgeSam') expect(c.lowRes).toBeNull();
      else
        expect([c.lowRes?.width, c.lowRes?.height, c.lowRes?.data.length]).toEqual([
          256, 256, 65536,
        ]);
    }

    // The red rectangle alone pulls in its same-coloured twin; a negative click removes it.
    const rect = await segmenter.predict(embedding, { points: [click(scene, 'rect')] });
    expect(maxCoverage(rect, scene.masks.twin!)).toBeGreaterThan(0.9);
    const refined = await segmenter.predict(embedding, {
      points: [click(scene, 'rect'), click(scene, 'twin', 0)],
    });
    expect(refined).toHaveLength(twoClicks);
    expect(maxCoverage(refined, scene.masks.twin!)).toBeLessThan(0.05);
    expect(bitmapIou(refined[0]!.mask, maskOf(scene, 'rect'))).toBeGreaterThanOrEqual(0.9);

    // A box around the blue disc selects it.
    const [x0, y0, x1, y1] = scene.blueBox;
    const boxed = await segmenter.predict(embedding, { points: [], box: { x0, y0, x1, y1 } });
    expect(bitmapIou(boxed[0]!.mask, maskOf(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    expectConsistent(boxed, scene);
  });
});

describe('refinement with maskInput', () => {
  it.each([
    ['encoderA2', 'decoderMulti'],
    ['encoderSam2', 'decoderSam2'],
  ] as const)('%s + %s: mask_input adds to the logits', async (e, d) => {
    const scene = scenes.portrait!;
    const segmenter = await openTestPair(e, d, { models });
    const embedding = await segmenter.encode(await sceneImage(scene));
    const rectOnly = await segmenter.predict(embedding, {
      points: [click(scene, 'rect'), click(scene, 'twin', 0)],
    });
    const plain: Prompt = { points: [click(scene, 'blue')] };
    const before = await segmenter.predict(embedding, plain);
    // The low-res rectangle of an earlier answer, as strong positive evidence.
    const boost = rectOnly[0]!.lowRes!.data.map((v) => (v > 0 ? 40 : 0));
    const after = await segmenter.predict(embedding, {
      ...plain,
      maskInput: { width: 256, height: 256, data: boost },
    });
    expect(maxCoverage(before, scene.masks.rect!)).toBeLessThan(0.05);
    for (const c of after) {
      expect(coverage(c.mask.data, scene.masks.rect!)).toBeGreaterThan(0.9);
      expect(coverage(c.mask.data, scene.masks.blue!)).toBeGreaterThan(0.9);
    }

    const erase = new Float32Array(256 * 256).fill(-40);
    const erased = await segmenter.predict(embedding, {
      ...plain,
      maskInput: { width: 256, height: 256, data: erase },
    });
    expect(erased.every((c) => c.area === 0)).toBe(true);
    await segmenter.release();
  });

  it('is refused by an EdgeSAM decoder, which has no mask input', async () => {
    const scene = scenes.portrait!;
    const segmenter = await openTestPair('encoderA2Image', 'decoderEdgeSam', { models });
    const embedding = await segmenter.encode(await sceneImage(scene));
    const maskInput = { width: 256, height: 256, data: new Float32Array(65536) };
    await expect(
      segmenter.predict(embedding, { points: [click(scene, 'blue')], maskInput }),
    ).rejects.toThrow(PromptError);
    await segmenter.release();
  });
});

describe('masks from the low-res logits', () => {
  /** The decoder's own `masks` output at the original size, thresholded at 0, per candidate. */
  async function decoderMasks(
    decoderPath: string,
    embedding: Embedding,
    prompt: Prompt,
    contract: SamSegmenter['decoderContract'],
  ): Promise<Bitmap[]> {
    const session = await ort.InferenceSession.create(decoderPath);
    try {
      const { width, height } = embedding.original;
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, { data, dims }] of Object.entries(
        decoderFeeds(contract, embedding, prompt, embedding.original),
      )) {
        feeds[name] = new ort.Tensor('float32', data, dims);
      }
      const { masks } = await session.run(feeds, ['masks']);
      const logits = masks!.data as Float32Array;
      const count = masks!.dims[1]!;
      return Array.from({ length: count }, (_, k) => {
        const plane = logits.subarray(k * width * height, (k + 1) * width * height);
        return bitmapFrom(
          width,
          height,
          Uint8Array.from(plane, (v) => (v > 0 ? 1 : 0)),
        );
      });
    } finally {
      await session.release();
    }
  }

  it("give the decoder's own full-size masks, without fetching them", async () => {
    for (const [decoder, size] of [
      ['decoderMulti', [1300, 900]],
      ['decoderMulti', [600, 400]],
      ['decoderSingle', [480, 640]],
    ] as const) {
      const scene = objectsScene(size[0], size[1]);
      const segmenter = await openTestPair('encoderA2', decoder, { models });
      try {
        const embedding = await segmenter.encode(await sceneImage(scene));
        const [x0, y0, x1, y1] = scene.blueBox;
        const prompts: Prompt[] = [
          { points: [click(scene, 'blue')] },
          { points: [click(scene, 'rect'), click(scene, 'twin', 0)] },
          { points: [], box: { x0, y0, x1, y1 } },
        ];
        for (const prompt of prompts) {
          const ours = await segmenter.predict(embedding, prompt);
          const reference = await decoderMasks(
            models[decoder],
            embedding,
            prompt,
            segmenter.decoderContract,
          );
          for (const candidate of ours) {
            // Candidates come best first; their index in the decoder output is in the order
            // of predictedIou, so match each with the reference mask it is closest to.
            const iou = Math.max(...reference.map((m) => bitmapIou(candidate.mask, m)));
            expect(iou, `${decoder} ${size.join('x')}`).toBeGreaterThanOrEqual(0.9995);
          }
        }
      } finally {
        await segmenter.release();
      }
    }
  });
});

describe('sessions', () => {
  it('reload transparently after release(), also while a decode is running', async () => {
    const scene = scenes.portrait!;
    const segmenter = await openTestPair('encoderA1', 'decoderMulti', { models });
    const embedding = await segmenter.encode(await sceneImage(scene));
    const prompt = { points: [click(scene, 'blue')] };
    const first = await segmenter.predict(embedding, prompt);

    await segmenter.release();
    expect(segmenter.loaded).toEqual({ encoder: false, decoder: false });
    const again = await segmenter.predict(embedding, prompt);
    expect(segmenter.loaded).toEqual({ encoder: false, decoder: true });
    expect(again.map((c) => c.rle)).toEqual(first.map((c) => c.rle));

    const running = segmenter.predict(embedding, prompt);
    await segmenter.release();
    expect((await running).map((c) => c.rle)).toEqual(first.map((c) => c.rle));
    await segmenter.encode(await sceneImage(scene));
    expect(segmenter.loaded.encoder).toBe(true);
    await segmenter.release();
  });

  it('encode into input buffers the encoder thread gave back, with the same embeddings', async () => {
    // Contract A pads: the landscape picture leaves columns the portrait one has to clear.
    const segmenter = await openTestPair('encoderA2', 'decoderSingle', { models });
    const spare = (segmenter as unknown as { inputBuffers: { size: number } }).inputBuffers;
    try {
      const portrait = await sceneImage(scenes.portrait!);
      const landscape = await sceneImage(scenes.landscape!);
      const first = await segmenter.encode(portrait);
      expect(spare.size).toBe(1);
      const other = await segmenter.encode(landscape);
      const again = await segmenter.encode(portrait);
      expect(spare.size).toBe(1);
      const bits = (e: Embedding) => Buffer.from(e.tensors.image_embeddings!.data.buffer);
      expect(bits(again).equals(bits(first))).toBe(true);
      expect(bits(other).equals(bits(first))).toBe(false);
      await segmenter.release();
      expect(spare.size).toBe(0);
    } finally {
      await segmenter.release();
    }
  });

  it('give memory back through the releaser only once idle long enough', async () => {
    const patient = await openTestPair('encoderA2', 'decoderSingle', {
      models,
      config: defaultConfig().with({ 'model.sessionIdleSeconds': 3600 }),
    });
    expect(patient.releaser().name).toBe('sam-sessions:encoderA2+decoderSingle');
    expect(await patient.releaser().release()).toBe(0);
    expect(patient.loaded).toEqual({ encoder: true, decoder: true });
    await patient.release();

    const eager = await openTestPair('encoderA2', 'decoderSingle', {
      models,
      config: defaultConfig().with({ 'model.sessionIdleSeconds': 0 }),
    });
    const freed = await eager.releaser().release();
    expect(eager.loaded).toEqual({ encoder: false, decoder: false });
    // The byte estimate is the size of the two files.
    const sizes = await Promise.all([stat(models.encoderA2), stat(models.decoderSingle)]);
    expect(freed).toBe(sizes[0].size + sizes[1].size);
    const scene = scenes.portrait!;
    const embedding = await eager.encode(await sceneImage(scene));
    const blue = await eager.predict(embedding, { points: [click(scene, 'blue')] });
    expect(bestIou(blue, maskOf(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    await eager.release();
  });

  it('fall back to CPU with one warning when CUDA is asked for first', async () => {
    const { logger, lines } = recordingLogger();
    const segmenter = await openTestPair('encoderA2', 'decoderMulti', {
      models,
      logger,
      config: defaultConfig().with({ 'model.executionProviders': 'cuda,cpu' }),
    });
    expect(segmenter.executionProviders).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    const scene = scenes.portrait!;
    await segmenter.release();
    const embedding = await segmenter.encode(await sceneImage(scene));
    await segmenter.predict(embedding, { points: [click(scene, 'blue')] });
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('execution provider cuda is not available');
    await segmenter.release();
  });

  it('notice a model file replaced by another contract before reloading it', async () => {
    const decoder = path.join(tmp, 'swapped.decoder.onnx');
    await copyFile(models.decoderMulti, decoder);
    const segmenter = await openSamSegmenter({
      encoderPath: models.encoderA2,
      decoderPath: decoder,
    });
    const scene = scenes.portrait!;
    const embedding = await segmenter.encode(await sceneImage(scene));
    await segmenter.release();
    await copyFile(models.decoderSingle, decoder);
    await expect(segmenter.predict(embedding, { points: [click(scene, 'blue')] })).rejects.toThrow(
      /swapped\.decoder\.onnx: the file changed since it was opened/,
    );
    await segmenter.release();
  });
});

describe('opening pairs and using embeddings', () => {
  it('runs an encoder whose weights sit in an external file', async () => {
    const segmenter = await openSamSegmenter({
      encoderPath: models.externalData,
      decoderPath: models.decoderMulti,
    });
    expect(segmenter.id).toBe('sam1-a2.encoder');
    const scene = scenes.portrait!;
    const embedding = await segmenter.encode(await sceneImage(scene));
    const blue = await segmenter.predict(embedding, { points: [click(scene, 'blue')] });
    expect(bestIou(blue, maskOf(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    await segmenter.release();
  });

  it('refuses pairs that do not fit and files that do not load', async () => {
    await expect(
      openSamSegmenter({ encoderPath: models.encoderA2, decoderPath: models.decoderSam2 }),
    ).rejects.toThrow(ModelContractError);
    await expect(
      openSamSegmenter({ encoderPath: models.truncated, decoderPath: models.decoderMulti }),
    ).rejects.toThrow(ModelLoadError);
    await expect(
      openSamSegmenter({ encoderPath: models.encoderA2, decoderPath: models.decoderOrigSize }),
    ).rejects.toThrow(
      /orig-size\.decoder\.onnx: not a contract A decoder: input orig_im_size is missing/,
    );
  });

  it('refuses embeddings of another model or missing a tensor, and bad prompts', async () => {
    const scene = scenes.portrait!;
    const segmenter = await openTestPair('encoderA2', 'decoderSingle', { models });
    const embedding = await segmenter.encode(await sceneImage(scene));
    const prompt = { points: [click(scene, 'blue')] };
    const foreign = { ...embedding, modelId: 'other' };
    await expect(segmenter.predict(foreign, prompt)).rejects.toThrow(EmbeddingError);
    await expect(segmenter.predict(foreign, prompt)).rejects.toThrow(/computed by model "other"/);
    const stripped = { ...embedding, tensors: {} };
    await expect(segmenter.predict(stripped, prompt)).rejects.toThrow(
      /the embedding has no image_embeddings tensor/,
    );
    const error = await segmenter
      .predict(embedding, { points: [{ x: 10, y: 10, label: 5 as 1 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptError);
    expect((error as PromptError).field).toBe('points[0].label');

    const aborted = AbortSignal.abort();
    await expect(segmenter.encode(await sceneImage(scene), aborted)).rejects.toThrow(/abort/i);
    await segmenter.release();
  });
});
