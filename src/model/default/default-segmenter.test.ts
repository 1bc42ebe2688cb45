import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapIntersection,
  bitmapIou,
  decodeRle,
  bitmapEquals,
  type Bitmap,
} from '../../geometry/index.js';
import { embeddingBytes, PromptError, type Embedding, type Prompt } from '../segmenter.js';
import { DefaultSegmenter } from './default-segmenter.js';
import { loadOpenCv, type CV } from './opencv.js';
import { nextClick } from './testdata/clicker.js';
import { HORSE_FILE, horseReferenceMask } from './testdata/horse.js';
import { generateScene, writeScenePng, type Scene } from './testdata/scenes.js';
import { segmenterImageFromFile } from './testdata/segmenter-image.js';
import { EmbeddingError } from './working-image.js';

let cv: CV;
let dir: string;
const segmenter = new DefaultSegmenter();

interface Prepared {
  scene: Scene;
  embedding: Embedding;
}

async function prepare(name: string, size?: { width: number; height: number }): Promise<Prepared> {
  const scene = await generateScene(name, size);
  const file = await writeScenePng({ ...scene, name: `${name}-${scene.size.width}` }, dir);
  return { scene, embedding: await segmenter.encode(await segmenterImageFromFile(file)) };
}

/** The first click of the protocol: the pixel deepest inside the object. */
function centreClick(truth: Bitmap): Prompt {
  return { points: [nextClick(cv, truth, null)!] };
}

/** The box a user would drag: the object's bounding box and 2% of the picture around it. */
function boxAround(truth: Bitmap): Prompt {
  const [x, y, w, h] = bitmapBbox(truth);
  const pad = Math.round(0.02 * Math.max(truth.width, truth.height));
  return { points: [], box: { x0: x - pad, y0: y - pad, x1: x + w + pad, y1: y + h + pad } };
}

async function topMask(prepared: Prepared, prompt: Prompt): Promise<Bitmap> {
  const candidates = await segmenter.predict(prepared.embedding, prompt);
  expect(candidates.length).toBeGreaterThan(0);
  return candidates[0]!.mask;
}

const scenes = new Map<string, Prepared>();

beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
  dir = mkdtempSync(path.join(os.tmpdir(), 'sam-default-'));
  for (const name of [
    'flat-ellipse',
    'striped-star',
    'ring-on-checker',
    'touching-pair',
    'small-objects',
  ]) {
    scenes.set(name, await prepare(name));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DefaultSegmenter on generated scenes (1500x1000 and similar)', () => {
  it.each(['flat-ellipse', 'striped-star', 'ring-on-checker', 'small-objects'])(
    'one positive click inside the object of %s gives IoU >= 0.85',
    async (name) => {
      const prepared = scenes.get(name)!;
      const mask = await topMask(prepared, centreClick(prepared.scene.mask));
      expect(bitmapIou(mask, prepared.scene.mask)).toBeGreaterThanOrEqual(0.85);
    },
  );

  it('keeps the hole of a ring out of the mask', async () => {
    const { scene, embedding } = scenes.get('ring-on-checker')!;
    const mask = (await segmenter.predict(embedding, centreClick(scene.mask)))[0]!.mask;
    const centre = Math.floor(scene.size.height * 0.52) * scene.size.width + scene.size.width / 2;
    expect(scene.mask.data[centre]).toBe(0);
    expect(mask.data[centre]).toBe(0);
  });

  it('a negative click removes the region it falls in', async () => {
    // The clicked blob touches a rectangle; the first cut takes both, a negative click on the
    // rectangle takes it out again.
    const { scene, embedding } = scenes.get('touching-pair')!;
    const rectangle = scene.others[0]!;
    const positive = centreClick(scene.mask);
    const before = await topMask(scenes.get('touching-pair')!, positive);
    expect(bitmapArea(bitmapIntersection(before, rectangle))).toBeGreaterThan(
      0.5 * bitmapArea(rectangle),
    );
    const negative = nextClick(cv, rectangle, null)!;
    const after = await topMask(
      { scene, embedding },
      { points: [...positive.points, { ...negative, label: 0 }] },
    );
    expect(bitmapArea(bitmapIntersection(after, rectangle))).toBeLessThan(
      0.05 * bitmapArea(rectangle),
    );
    expect(bitmapIou(after, scene.mask)).toBeGreaterThanOrEqual(0.85);
  });

  it('a box selects the object inside it', async () => {
    for (const name of ['flat-ellipse', 'touching-pair']) {
      const prepared = scenes.get(name)!;
      const candidates = await segmenter.predict(
        prepared.embedding,
        boxAround(prepared.scene.mask),
      );
      expect(candidates).toHaveLength(1);
      expect(bitmapIou(candidates[0]!.mask, prepared.scene.mask)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('a box and a click together still select the object', async () => {
    const { scene, embedding } = scenes.get('striped-star')!;
    const prompt = { ...boxAround(scene.mask), points: centreClick(scene.mask).points };
    const mask = await topMask({ scene, embedding }, prompt);
    expect(bitmapIou(mask, scene.mask)).toBeGreaterThanOrEqual(0.85);
  });

  it('returns consistent candidates: original size, RLE, bbox and area agree, best first', async () => {
    const { scene, embedding } = scenes.get('touching-pair')!;
    const candidates = await segmenter.predict(embedding, centreClick(scene.mask));
    expect(candidates.length).toBeGreaterThanOrEqual(1);
    expect(candidates.length).toBeLessThanOrEqual(3);
    for (const c of candidates) {
      expect([c.mask.width, c.mask.height]).toEqual([1500, 1000]);
      expect(bitmapEquals(decodeRle(c.rle), c.mask)).toBe(true);
      expect(c.area).toBe(bitmapArea(c.mask));
      expect(c.bbox).toEqual(bitmapBbox(c.mask));
      expect(c.predictedIou).toBeGreaterThanOrEqual(0);
      expect(c.predictedIou).toBeLessThanOrEqual(1);
      expect(c.stabilityScore).toBe(1);
      expect(c.lowRes).toBeNull();
    }
    for (let i = 1; i < candidates.length; i++) {
      expect(bitmapIou(candidates[0]!.mask, candidates[i]!.mask)).toBeLessThanOrEqual(0.95);
    }
  });

  it('puts every positive click inside its mask and every negative one outside', async () => {
    const { scene, embedding } = scenes.get('flat-ellipse')!;
    const points = [
      { x: 675.5, y: 500.5, label: 1 as const },
      { x: 10.5, y: 10.5, label: 0 as const },
      { x: 700.5, y: 520.5, label: 1 as const },
    ];
    const mask = await topMask({ scene, embedding }, { points });
    for (const p of points) {
      expect(mask.data[Math.floor(p.y) * mask.width + Math.floor(p.x)]).toBe(p.label);
    }
  });

  it('gives the same masks for the same prompt, whatever ran in between', async () => {
    const { scene, embedding } = scenes.get('striped-star')!;
    const prompt = centreClick(scene.mask);
    const first = await segmenter.predict(embedding, prompt);
    await segmenter.predict(
      scenes.get('flat-ellipse')!.embedding,
      centreClick(scenes.get('flat-ellipse')!.scene.mask),
    );
    const second = await segmenter.predict(embedding, prompt);
    expect(second.map((c) => c.rle)).toEqual(first.map((c) => c.rle));
  });
});

describe('DefaultSegmenter on images whose longest side is not 1024', () => {
  it.each([
    { width: 451, height: 300 },
    { width: 1500, height: 1000 },
    { width: 700, height: 1400 },
  ])('returns masks at the original $width x $height', async (size) => {
    const prepared =
      size.width === 1500 ? scenes.get('flat-ellipse')! : await prepare('flat-ellipse', size);
    expect(prepared.embedding.original).toEqual(size);
    const candidates = await segmenter.predict(
      prepared.embedding,
      centreClick(prepared.scene.mask),
    );
    for (const c of candidates)
      expect([c.mask.width, c.mask.height]).toEqual([size.width, size.height]);
    expect(bitmapIou(candidates[0]!.mask, prepared.scene.mask)).toBeGreaterThanOrEqual(0.85);
  });
});

describe('DefaultSegmenter on horse.png (a real picture with an alpha channel)', () => {
  let horse: Prepared;

  beforeAll(async () => {
    // Reference: red < 128. The alpha channel is opaque but for 12 partly transparent white
    // corner pixels, background in the reference and white once flattened (testdata/horse.ts).
    const mask = await horseReferenceMask();
    const embedding = await segmenter.encode(await segmenterImageFromFile(HORSE_FILE));
    horse = {
      scene: {
        name: 'horse',
        size: { width: 400, height: 328 },
        rgb: Buffer.alloc(0),
        mask,
        others: [],
      },
      embedding,
    };
  });

  it('one click on the body gives the whole horse, legs and tail included', async () => {
    const mask = await topMask(horse, centreClick(horse.scene.mask));
    expect([mask.width, mask.height]).toEqual([400, 328]);
    expect(bitmapIou(mask, horse.scene.mask)).toBeGreaterThanOrEqual(0.9);
  });

  it('a box around it selects the horse', async () => {
    const mask = await topMask(horse, boxAround(horse.scene.mask));
    expect(bitmapIou(mask, horse.scene.mask)).toBeGreaterThanOrEqual(0.8);
  });

  it('a negative click on the background next to the horse leaves the horse', async () => {
    const prompt = centreClick(horse.scene.mask);
    prompt.points.push({ x: 5.5, y: 300.5, label: 0 });
    const mask = await topMask(horse, prompt);
    expect(bitmapIou(mask, horse.scene.mask)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('DefaultSegmenter input checks', () => {
  const ellipse = () => scenes.get('flat-ellipse')!.embedding;

  async function promptError(prompt: unknown): Promise<PromptError> {
    const err = await segmenter.predict(ellipse(), prompt as Prompt).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PromptError);
    return err as PromptError;
  }

  it.each([
    [{ points: [] }, 'points'],
    [{ points: [{ x: 5, y: 5, label: 0 }] }, 'points'],
    [{ points: [{ x: Number.NaN, y: 5, label: 1 }] }, 'points[0].x'],
    [
      {
        points: [
          { x: 5, y: 5, label: 1 },
          { x: 5, y: 1000.5, label: 1 },
        ],
      },
      'points[1].y',
    ],
    [{ points: [{ x: -1, y: 5, label: 1 }] }, 'points[0].x'],
    [{ points: [{ x: 5, y: 5, label: 2 }] }, 'points[0].label'],
    [{ points: [], box: { x0: 0, y0: 0, x1: Number.POSITIVE_INFINITY, y1: 10 } }, 'box.x1'],
    [{ points: [], box: { x0: 2000, y0: 0, x1: 2100, y1: 10 } }, 'box'],
    [{ points: 'none' }, 'points'],
  ])('refuses %j naming %s', async (prompt, field) => {
    const err = await promptError(prompt);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });

  it('clips a box dragged past the edge of the picture', async () => {
    const { scene, embedding } = scenes.get('flat-ellipse')!;
    const [x, y, w] = bitmapBbox(scene.mask);
    const candidates = await segmenter.predict(embedding, {
      points: [],
      box: { x0: x - 40, y0: y - 40, x1: x + w + 40, y1: 5000 },
    });
    expect(bitmapIou(candidates[0]!.mask, scene.mask)).toBeGreaterThanOrEqual(0.85);
  });

  it('refuses an embedding made by another model, or one whose tensor was damaged', async () => {
    const good = ellipse();
    const prompt = centreClick(scenes.get('flat-ellipse')!.scene.mask);
    await expect(segmenter.predict({ ...good, modelId: 'sam-vit-b' }, prompt)).rejects.toThrow(
      EmbeddingError,
    );
    const cut = { ...good, tensors: { lab: { dims: [10, 10, 3], data: new Uint8Array(300) } } };
    await expect(segmenter.predict(cut, prompt)).rejects.toThrow(
      /tensors\.lab must have dims \[683, 1024, 3\]/,
    );
    await expect(segmenter.predict({ ...good, tensors: {} }, prompt)).rejects.toThrow(
      /no tensors\.lab/,
    );
  });

  it('encodes the 1024-px picture in Lab and honours an aborted signal', async () => {
    const embedding = ellipse();
    expect(embedding.modelId).toBe('default');
    expect(embedding.tensors.lab!.dims).toEqual([683, 1024, 3]);
    expect(embeddingBytes(embedding)).toBe(683 * 1024 * 3);
    const image = await segmenterImageFromFile(HORSE_FILE);
    const controller = new AbortController();
    controller.abort();
    await expect(segmenter.encode(image, controller.signal)).rejects.toThrow(/abort/i);
  });
});

describe('DefaultSegmenter on degenerate pictures', () => {
  async function fromPixels(
    name: string,
    width: number,
    height: number,
    paint: (x: number, y: number) => number,
  ) {
    const rgb = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++)
        rgb.fill(paint(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
    const file = path.join(dir, `${name}.png`);
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(file);
    return segmenter.encode(await segmenterImageFromFile(file));
  }

  it('answers on a flat grey picture, with the click inside the mask', async () => {
    const embedding = await fromPixels('flat', 300, 200, () => 128);
    const candidates = await segmenter.predict(embedding, {
      points: [{ x: 150.5, y: 100.5, label: 1 }],
    });
    expect(candidates[0]!.mask.data[100 * 300 + 150]).toBe(1);
  });

  it('finds a 3-pixel dot and a dark stretch of a 2000 x 12 strip', async () => {
    const dot = await fromPixels('dot', 500, 500, (x, y) =>
      Math.abs(x - 250) <= 1 && Math.abs(y - 250) <= 1 ? 0 : 255,
    );
    const [dotMask] = await segmenter.predict(dot, { points: [{ x: 250.5, y: 250.5, label: 1 }] });
    expect(dotMask!.area).toBeGreaterThanOrEqual(1);
    expect(dotMask!.area).toBeLessThanOrEqual(25);
    const strip = await fromPixels('strip', 2000, 12, (x) => (x >= 800 && x < 1200 ? 20 : 230));
    const [stripMask] = await segmenter.predict(strip, {
      points: [{ x: 1000.5, y: 6.5, label: 1 }],
    });
    expect([stripMask!.mask.width, stripMask!.mask.height]).toEqual([2000, 12]);
    expect(stripMask!.bbox[0]).toBeGreaterThanOrEqual(780);
    expect(stripMask!.bbox[0] + stripMask!.bbox[2]).toBeLessThanOrEqual(1220);
    // A box one pixel wide (half a working pixel): outside it is definite background.
    const thinBox = await segmenter.predict(strip, {
      points: [],
      box: { x0: 1000, y0: 2, x1: 1001, y1: 10 },
    });
    for (const c of thinBox) {
      expect(c.bbox[0]).toBeGreaterThanOrEqual(995);
      expect(c.bbox[0] + c.bbox[2]).toBeLessThanOrEqual(1006);
    }
    // A box over the whole picture leaves GrabCut no background sample but for the border.
    const [whole] = await segmenter.predict(strip, {
      points: [],
      box: { x0: 0, y0: 0, x1: 2000, y1: 12 },
    });
    expect(whole!.bbox[0]).toBeGreaterThanOrEqual(780);
    expect(whole!.bbox[0] + whole!.bbox[2]).toBeLessThanOrEqual(1220);
  });
});
