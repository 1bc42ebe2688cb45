import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapFrom,
  bitmapIou,
  decodeRle,
  rleBbox,
  type Bitmap,
} from '../../geometry/index.js';
import {
  objectsScene,
  paintScene,
  type ObjectsScene,
  type Scene,
} from '../../../tools/test-models/test-support.js';
import { DefaultSegmenter } from '../default/index.js';
import { openTestPair, sceneImage } from '../sam/sam-test-support.js';
import type { SamSegmenter } from '../sam/index.js';
import type { Embedding } from '../segmenter.js';
import { boxIou } from './box-nms.js';
import { isNearCropEdge } from './crop-boxes.js';
import type { PixelSource } from './crop-image.js';
import { generateMasks, type AutoMask, type AutoMaskProgress } from './generate.js';
import { PredictGridDecoder } from './grid-decoder.js';
import { AutoMaskOptionError } from './options.js';

/** Small pictures and grids keep each run at a few dozen decoder calls. */
const scene = objectsScene(400, 300);
let sam: SamSegmenter;
let embedding: Embedding;

beforeAll(async () => {
  sam = await openTestPair('encoderA2', 'decoderMulti');
  embedding = await sam.encode(await sceneImage(scene));
});

afterAll(async () => {
  await sam.release();
});

function known(s: Scene, name: string): Bitmap {
  return bitmapFrom(s.width, s.height, s.masks[name]!);
}

function bestIou(masks: AutoMask[], target: Bitmap): number {
  return Math.max(0, ...masks.map((m) => bitmapIou(decodeRle(m.rle), target)));
}

function pixelSource(s: Scene, key: string): PixelSource {
  return {
    key,
    size: { width: s.width, height: s.height },
    rgb: async () => ({ width: s.width, height: s.height, data: Buffer.from(s.rgb) }),
  };
}

/** Every mask's parts describe the same mask, in picture coordinates. */
function expectConsistent(masks: AutoMask[], s: Scene): void {
  for (const m of masks) {
    expect(m.rle.size).toEqual([s.height, s.width]);
    const bitmap = decodeRle(m.rle);
    expect(bitmapArea(bitmap)).toBe(m.area);
    expect(rleBbox(m.rle)).toEqual(m.bbox);
    expect(m.point.x).toBeGreaterThanOrEqual(0);
    expect(m.point.x).toBeLessThan(s.width);
    expect(m.point.y).toBeGreaterThanOrEqual(0);
    expect(m.point.y).toBeLessThan(s.height);
  }
}

describe('generateMasks with a SAM model', () => {
  it('finds every object of the picture, each once', async () => {
    // The generated decoder scores the separate red objects ~0.65 (their union ~0.95), so the
    // thresholds are lowered for the red rectangle and its twin to be kept at all.
    const { masks, stats } = await generateMasks(sam, embedding, {
      pointsPerSide: 8,
      predIouThresh: 0.5,
      stabilityThresh: 0.9,
    });
    for (const name of ['rect', 'twin', 'blue']) {
      expect(bestIou(masks, known(scene, name)), name).toBeGreaterThanOrEqual(0.9);
    }
    for (const [i, a] of masks.entries()) {
      for (const b of masks.slice(i + 1)) expect(boxIou(a.bbox, b.bbox)).toBeLessThanOrEqual(0.7);
    }
    // 64 clicks, 3 candidates each; many clicks found the same object, and NMS kept one.
    expect(stats.points).toBe(64);
    expect(stats.candidates).toBe(192);
    expect(stats.keptByCropEdge).toBeGreaterThan(3 * masks.length);
    expect(stats.masks).toBe(masks.length);
    expectConsistent(masks, scene);
    for (const m of masks) {
      expect(m.predictedIou).toBeGreaterThan(0.5);
      expect(m.stabilityScore).toBeGreaterThanOrEqual(0.9);
      expect(m.cropBox).toEqual([0, 0, 400, 300]);
    }
    const scores = masks.map((m) => m.predictedIou);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("applies SAM 1's thresholds by default and reports progress after each batch", async () => {
    const progress: AutoMaskProgress[] = [];
    const { masks, stats, settings } = await generateMasks(sam, embedding, {
      pointsPerSide: 4,
      pointsPerBatch: 5,
      onProgress: (p) => progress.push(p),
    });
    expect(settings).toMatchObject({ predIouThresh: 0.88, stabilityThresh: 0.95 });
    expect(masks.length).toBeGreaterThan(0);
    for (const m of masks) {
      expect(m.predictedIou).toBeGreaterThan(0.88);
      expect(m.stabilityScore).toBeGreaterThanOrEqual(0.95);
    }
    expect(bestIou(masks, known(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    expect(stats.keptByIou).toBeLessThan(stats.candidates);
    expect(progress.map((p) => p.pointsDone)).toEqual([5, 10, 15, 16]);
    expect(progress.at(-1)).toEqual({
      pointsDone: 16,
      pointsTotal: 16,
      cropsDone: 1,
      cropsTotal: 1,
    });
  });

  it('keeps nothing when a threshold is above 1', async () => {
    const byIou = await generateMasks(sam, embedding, { pointsPerSide: 2, predIouThresh: 1.01 });
    expect(byIou.masks).toEqual([]);
    expect(byIou.stats.candidates).toBe(12);
    expect(byIou.stats.keptByIou).toBe(0);
    const byStability = await generateMasks(sam, embedding, {
      pointsPerSide: 2,
      stabilityThresh: 1.01,
    });
    expect(byStability.masks).toEqual([]);
    expect(byStability.stats.keptByIou).toBeGreaterThan(0);
    expect(byStability.stats.keptByStability).toBe(0);
  });

  it('stops between clicks when aborted', async () => {
    const controller = new AbortController();
    let batches = 0;
    const run = generateMasks(sam, embedding, {
      pointsPerSide: 4,
      pointsPerBatch: 2,
      signal: controller.signal,
      onProgress: () => {
        batches++;
        controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(batches).toBe(1);
  });

  it('segments crop layers, each crop encoded on its own, dropping masks cut by inner edges', async () => {
    const { masks, stats } = await generateMasks(sam, embedding, {
      pointsPerSide: 4,
      cropLayers: 1,
      image: pixelSource(scene, 'objects-400x300'),
    });
    expect(stats.crops).toBe(5);
    expect(stats.points).toBe(80);
    expectConsistent(masks, scene);
    expect(bestIou(masks, known(scene, 'blue'))).toBeGreaterThanOrEqual(0.9);
    // Duplicates between crops go to the smaller crop: some masks come from layer 1.
    const fromCrops = masks.filter((m) => m.cropBox[2] < 400);
    expect(fromCrops.length).toBeGreaterThan(0);
    for (const m of fromCrops) {
      const [x, y, w, h] = m.cropBox;
      const crop = { x0: x, y0: y, x1: x + w, y1: y + h };
      expect(isNearCropEdge(m.bbox, crop, { width: 400, height: 300 }, 20)).toBe(false);
      // The mask lies inside its crop.
      expect(m.bbox[0]).toBeGreaterThanOrEqual(x);
      expect(m.bbox[1]).toBeGreaterThanOrEqual(y);
      expect(m.bbox[0] + m.bbox[2]).toBeLessThanOrEqual(x + w);
      expect(m.bbox[1] + m.bbox[3]).toBeLessThanOrEqual(y + h);
    }
  });

  it('refuses crop layers without the picture pixels, or with pixels of another size', async () => {
    await expect(generateMasks(sam, embedding, { cropLayers: 1 })).rejects.toThrow(
      AutoMaskOptionError,
    );
    const other = pixelSource(objectsScene(200, 150), 'other');
    await expect(generateMasks(sam, embedding, { cropLayers: 1, image: other })).rejects.toThrow(
      /options.image other is 200x150, but the embedding is of a 400x300 picture/,
    );
    await expect(generateMasks(sam, embedding, { pointsPerSide: 0 })).rejects.toThrow(
      /pointsPerSide must be a whole number from 1 to 1024, got 0/,
    );
  });

  it('fills small holes and removes small islands with minRegionArea', async () => {
    // A blue disc with a grey 6x6 hole, and a blue 6x6 speck far from it: the colour-matching
    // test decoder puts the speck into the disc's mask and leaves the hole out of it.
    const specked = paintScene(
      400,
      300,
      [128, 128, 128],
      [
        { kind: 'circle', name: 'disc', colour: [40, 60, 200], cx: 200, cy: 150, r: 80 },
        { kind: 'rect', name: 'hole', colour: [128, 128, 128], x0: 190, y0: 120, x1: 196, y1: 126 },
        { kind: 'rect', name: 'speck', colour: [40, 60, 200], x0: 340, y0: 250, x1: 346, y1: 256 },
      ],
      6,
    );
    const specks = await sam.encode(await sceneImage(specked, 'specked'));
    const countIn = (mask: Bitmap, name: string): number =>
      bitmapArea(
        bitmapFrom(
          400,
          300,
          Uint8Array.from(specked.masks[name]!, (v, i) => v & mask.data[i]!),
        ),
      );
    const [raw] = await sam.predict(specks, { points: [{ x: 200, y: 170, label: 1 }] });
    expect(countIn(raw!.mask, 'speck')).toBeGreaterThan(0);
    expect(countIn(raw!.mask, 'hole')).toBe(0);

    const { masks, stats } = await generateMasks(sam, specks, {
      pointsPerSide: 4,
      minRegionArea: 100,
    });
    expectConsistent(masks, specked);
    const disc = known(specked, 'disc');
    const best = masks.reduce((a, b) =>
      bitmapIou(decodeRle(a.rle), disc) >= bitmapIou(decodeRle(b.rle), disc) ? a : b,
    );
    const cleaned = decodeRle(best.rle);
    expect(bitmapIou(cleaned, disc)).toBeGreaterThanOrEqual(0.9);
    expect(countIn(cleaned, 'speck')).toBe(0);
    expect(countIn(cleaned, 'hole')).toBe(36);
    expect(stats.cleaned).toBeGreaterThan(0);
  });

  it("uses SAM 2's IoU threshold for a SAM 2 model", async () => {
    const sam2 = await openTestPair('encoderSam2', 'decoderSam2');
    try {
      const embedding2 = await sam2.encode(await sceneImage(scene));
      const { masks, settings } = await generateMasks(sam2, embedding2, { pointsPerSide: 2 });
      expect(settings.predIouThresh).toBe(0.8);
      expect(masks.length).toBeGreaterThan(0);
      for (const m of masks) expect(m.predictedIou).toBeGreaterThan(0.8);
      expectConsistent(masks, scene);
    } finally {
      await sam2.release();
    }
  });
});

describe('generateMasks filtering before building masks', () => {
  /**
   * The earlier pipeline: predict() builds every candidate's mask (bitmap region and RLE) for
   * every click, and the filters run on finished candidates.
   */
  const everyMask = (segmenter: SamSegmenter) => new PredictGridDecoder(segmenter);

  it.each([
    ['default thresholds', {}],
    ['no thresholds', { predIouThresh: 0, stabilityThresh: 0 }],
    ['lowered thresholds and cleanup', { predIouThresh: 0.5, minRegionArea: 400 }],
  ])('gives the masks of the full pipeline: %s', async (_, settings) => {
    const early = await generateMasks(sam, embedding, { pointsPerSide: 6, ...settings });
    const full = await generateMasks(sam, embedding, {
      pointsPerSide: 6,
      ...settings,
      decoder: everyMask(sam),
    });
    expect(early.masks.length).toBeGreaterThan(0);
    expect(early.masks).toEqual(full.masks);
    expect(early.stats).toEqual(full.stats);
  });

  it('gives the masks of the full pipeline with crop layers', async () => {
    const options = {
      pointsPerSide: 4,
      predIouThresh: 0.5,
      cropLayers: 1,
      image: pixelSource(scene, 'objects-400x300'),
    };
    const early = await generateMasks(sam, embedding, options);
    const full = await generateMasks(sam, embedding, { ...options, decoder: everyMask(sam) });
    expect(early.masks.some((m) => m.cropBox[2] < 400)).toBe(true);
    expect(early.masks).toEqual(full.masks);
    expect(early.stats).toEqual(full.stats);
  });

  it('gives the masks of the full pipeline with SAM 2', async () => {
    const sam2 = await openTestPair('encoderSam2', 'decoderSam2');
    try {
      const embedding2 = await sam2.encode(await sceneImage(scene));
      const options = { pointsPerSide: 8, predIouThresh: 0.5 };
      const early = await generateMasks(sam2, embedding2, options);
      const full = await generateMasks(sam2, embedding2, { ...options, decoder: everyMask(sam2) });
      expect(early.masks.length).toBeGreaterThan(0);
      expect(early.masks).toEqual(full.masks);
      expect(early.stats).toEqual(full.stats);
    } finally {
      await sam2.release();
    }
  });

  it('refuses a decoder of another segmenter', async () => {
    const other = new PredictGridDecoder(new DefaultSegmenter());
    await expect(generateMasks(sam, embedding, { decoder: other })).rejects.toThrow(
      /options.decoder decodes for default, not for encoderA2\+decoderMulti/,
    );
  });
});

describe('generateMasks with the default segmenter', () => {
  it('finds an object on a small grid', async () => {
    const small: ObjectsScene = objectsScene(160, 120);
    const segmenter = new DefaultSegmenter();
    const defaultEmbedding = await segmenter.encode(await sceneImage(small));
    const { masks, settings } = await generateMasks(segmenter, defaultEmbedding, {
      pointsPerSide: 3,
    });
    expect(settings.predIouThresh).toBe(0.88);
    expect(masks.length).toBeGreaterThan(0);
    expectConsistent(masks, small);
    expect(bestIou(masks, known(small, 'blue'))).toBeGreaterThanOrEqual(0.9);
  });
});
