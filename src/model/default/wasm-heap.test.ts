import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitmapBbox } from '../../geometry/index.js';
import type { Embedding, Prompt } from '../segmenter.js';
import { DefaultSegmenter } from './default-segmenter.js';
import { loadOpenCv, type CV } from './opencv.js';
import { nextClick } from './testdata/clicker.js';
import { generateScene, writeScenePng } from './testdata/scenes.js';
import { segmenterImageFromFile } from './testdata/segmenter-image.js';

/**
 * Counts the cv.Mat objects made and not yet deleted, by watching the real constructor and
 * delete(): every Mat lives in the wasm heap until deleted, whatever the garbage collector does.
 */
function watchMats(cv: CV): { live: () => number; stop: () => void } {
  const module = cv as unknown as { Mat: typeof cv.Mat };
  const original = module.Mat;
  const prototype = original.prototype as { delete: () => void };
  const originalDelete = prototype.delete;
  const live = new Set<object>();
  module.Mat = new Proxy(original, {
    construct(target, args, newTarget) {
      const mat = Reflect.construct(target, args, newTarget) as object;
      live.add(mat);
      return mat;
    },
  });
  prototype.delete = function (this: object) {
    live.delete(this);
    originalDelete.call(this);
  };
  return {
    live: () => live.size,
    stop: () => {
      module.Mat = original;
      prototype.delete = originalDelete;
    },
  };
}

let cv: CV;
let dir: string;
let embedding: Embedding;
let prompts: Prompt[];

beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
  dir = mkdtempSync(path.join(os.tmpdir(), 'sam-default-heap-'));
  const scene = await generateScene('touching-pair');
  const segmenter = new DefaultSegmenter();
  embedding = await segmenter.encode(await segmenterImageFromFile(await writeScenePng(scene, dir)));
  const first = nextClick(cv, scene.mask, null)!;
  const [x, y, w, h] = bitmapBbox(scene.mask);
  // Every path of predict(): clicks (coarse and fine passes, region growth), box, box + click.
  prompts = [
    { points: [first] },
    { points: [first, { x: 1000.5, y: 500.5, label: 0 }] },
    { points: [], box: { x0: x - 20, y0: y - 20, x1: x + w + 20, y1: y + h + 20 } },
    { points: [first], box: { x0: x, y0: y, x1: x + w, y1: y + h } },
    { points: [{ x: 30.5, y: 30.5, label: 1 }] },
  ];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DefaultSegmenter and the wasm heap', () => {
  it('frees every Mat it makes: 50 predictions leave none alive and do not grow the heap', async () => {
    const segmenter = new DefaultSegmenter();
    for (const prompt of prompts) await segmenter.predict(embedding, prompt);
    const heap = () => (cv as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
    const heapBytes = heap();
    const mats = watchMats(cv);
    try {
      for (let i = 0; i < 50; i++) {
        await segmenter.predict(embedding, prompts[i % prompts.length]!);
        expect(mats.live()).toBe(0);
      }
    } finally {
      mats.stop();
    }
    expect(heap()).toBe(heapBytes);
  });
});
