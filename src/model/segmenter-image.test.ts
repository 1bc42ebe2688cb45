import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { ImageIndex, ImageService } from '../dataset/index.js';
import {
  TEST_HOST_BUDGET,
  decodeFailure,
  halvesJpeg,
  put,
  tempDir,
  truncatedJpeg,
} from '../dataset/test-fixtures.js';
import { segmenterImageFromFile, segmenterImageOf } from './segmenter-image.js';

let tmp: { dir: string; remove: () => void };
beforeEach(() => {
  tmp = tempDir('segmenter-image');
});
afterEach(() => tmp.remove());

/** Red share of the left column and of the right column of a decoded picture. */
function redAtEdges(image: { width: number; height: number; data: Buffer }): [number, number] {
  const at = (x: number) => image.data[(Math.floor(image.height / 2) * image.width + x) * 3]!;
  return [at(0), at(image.width - 1)];
}

describe('segmenterImageFromFile', () => {
  it('sizes and decodes the picture after EXIF orientation, resized for the contract', async () => {
    // Stored 400x200, left half red; orientation 6 shows it rotated a quarter turn clockwise.
    const file = put(tmp.dir, 'rotated.jpg', await halvesJpeg(400, 200, { orientation: 6 }));
    const image = await segmenterImageFromFile(file);
    expect(image.size).toEqual({ width: 200, height: 400 });
    const input = await image.modelInput('longest-side');
    expect([input.width, input.height]).toEqual([512, 1024]);
    const squash = await image.modelInput('squash');
    expect([squash.width, squash.height]).toEqual([1024, 1024]);
    // After the turn the red half is on top: the middle row is split left/right no more.
    const top = input.data[(10 * input.width + 256) * 3]!;
    const bottom = input.data[((input.height - 10) * input.width + 256) * 3]!;
    expect(top).toBeGreaterThan(200);
    expect(bottom).toBeLessThan(60);
  });

  it('keys the image by its absolute path and version, and a new version gets a new key', async () => {
    const file = put(tmp.dir, 'halves.jpg', await halvesJpeg(64, 48));
    const relative = path.relative(process.cwd(), file);
    const first = await segmenterImageFromFile(relative);
    expect(first.key).toMatch(new RegExp(`^file:${file.replace(/[.]/g, '\\.')}:\\d+:[\\d.]+$`));
    expect((await segmenterImageFromFile(file)).key).toBe(first.key);
    writeFileSync(file, await halvesJpeg(64, 48, { quality: 50 }));
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    expect((await segmenterImageFromFile(file)).key).not.toBe(first.key);
  });

  it('takes a file without an image extension for what its header says', async () => {
    const file = put(tmp.dir, 'picture.data', await halvesJpeg(80, 60));
    const image = await segmenterImageFromFile(file);
    expect(image.size).toEqual({ width: 80, height: 60 });
    expect(redAtEdges(await image.modelInput('longest-side'))[0]).toBeGreaterThan(200);
  });

  it('rejects files that are no pictures, and reports broken pixels when they are decoded', async () => {
    const text = put(tmp.dir, 'notes.jpg', 'not a jpeg at all');
    const notImage = await decodeFailure(segmenterImageFromFile(text));
    expect(notImage.message).toContain(text);
    const missing = await decodeFailure(segmenterImageFromFile(path.join(tmp.dir, 'gone.png')));
    expect(missing.reason).toBe('io');

    // The repository's truncated JPEG is cut inside its header; this one inside its pixels.
    const cutHeader = put(tmp.dir, 'truncated.jpg', readFileSync(truncatedJpeg));
    expect((await decodeFailure(segmenterImageFromFile(cutHeader))).message).toContain(cutHeader);
    const whole = await halvesJpeg(640, 480, { quality: 95 });
    const cutPixels = put(tmp.dir, 'cut.jpg', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const image = await segmenterImageFromFile(cutPixels);
    expect(image.size).toEqual({ width: 640, height: 480 });
    const broken = await decodeFailure(image.modelInput('longest-side'));
    expect(broken.reason).toBe('truncated');
    expect(broken.message).toContain(cutPixels);
  });
});

describe('segmenterImageOf', () => {
  it('serves the same size and pixels as the file adapter, through the image service', async () => {
    put(tmp.dir, 'a.jpg', await halvesJpeg(300, 100, { orientation: 8 }));
    const index = ImageIndex.open(tmp.dir);
    const service = new ImageService(index, defaultConfig(), { hostBudgetBytes: TEST_HOST_BUDGET });
    const entry = index.entries()[0]!;
    const image = await segmenterImageOf(service, entry, 'stat:a.jpg:1:2');
    const direct = await segmenterImageFromFile(entry.absPath);
    expect(image.key).toBe('stat:a.jpg:1:2');
    expect(image.size).toEqual({ width: 100, height: 300 });
    expect(image.size).toEqual(direct.size);
    const [viaService, viaFile] = await Promise.all([
      image.modelInput('longest-side'),
      direct.modelInput('longest-side'),
    ]);
    expect(viaService.data.equals(viaFile.data)).toBe(true);
    // The service caches it: a second request is the same object, not a second decode.
    expect(await image.modelInput('longest-side')).toBe(viaService);
    expect(service.stats().decodes['model-longest-side']).toBe(1);
  });

  it('sizes an image edited on disk by its new header', async () => {
    const file = put(tmp.dir, 'b.jpg', await halvesJpeg(120, 90));
    const index = ImageIndex.open(tmp.dir);
    const service = new ImageService(index, defaultConfig(), { hostBudgetBytes: TEST_HOST_BUDGET });
    const entry = index.entries()[0]!;
    expect((await segmenterImageOf(service, entry, 'k1')).size).toEqual({ width: 120, height: 90 });
    writeFileSync(file, await halvesJpeg(50, 70));
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    expect((await segmenterImageOf(service, entry, 'k2')).size).toEqual({ width: 50, height: 70 });
  });

  it('rejects with the decode error of a broken header', async () => {
    put(tmp.dir, 'empty.png', '');
    const index = ImageIndex.open(tmp.dir);
    const service = new ImageService(index, defaultConfig(), { hostBudgetBytes: TEST_HOST_BUDGET });
    const failure = await decodeFailure(segmenterImageOf(service, index.entries()[0]!, 'k'));
    expect(failure.reason).toBe('empty');
  });
});
