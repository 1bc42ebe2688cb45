import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { ImageDecodeError, UnknownImageError } from './errors.js';
import { ImageIndex } from './image-index.js';
import { ImageService } from './image-service.js';
import type { RawImage } from './raw-image.js';
import {
  gradientImage,
  photo,
  photosWithTruncated,
  put,
  tempDir,
  TEST_HOST_BUDGET,
} from './test-fixtures.js';
import { collectGarbageUntil, collectionObserver } from '../cache/gc-test-support.js';

const { dir, remove } = tempDir('service');
afterAll(remove);

let index: ImageIndex;
const id = (rel: string) => index.byRelPath(rel)!.id;

beforeAll(async () => {
  put(dir, 'a/wide.jpg', await gradientImage(1600, 900, 'jpeg'));
  put(dir, 'b/small.png', await gradientImage(200, 100, 'png'));
  put(dir, 'c/photo.webp', await gradientImage(640, 480, 'webp'));
  const rocket = readFileSync(photo('rocket.jpg'));
  put(dir, 'd/cut.jpg', rocket.subarray(0, Math.floor(rocket.length / 2)));
  put(dir, 'e/text.jpg', 'plain text');
  index = ImageIndex.open(dir);
});

function service(
  config = defaultConfig(),
  budgets?: { displayImages?: number; decodedImages?: number },
) {
  return new ImageService(index, config, { hostBudgetBytes: TEST_HOST_BUDGET, budgets });
}

describe('ImageService', () => {
  it('exposes its two caches by name, budgeted as configured shares of the host budget', () => {
    // memory.budget 'auto' (the default): the host budget is whatever the caller resolved, for
    // instance a cgroup limit far below physical RAM.
    const config = defaultConfig().with({
      'cache.displayImages.share': 0.2,
      'cache.decodedImages.share': 0.1,
    });
    expect(config.get('memory.budget')).toBe('auto');
    const hostBudgetBytes = 1000 * 1024 * 1024;
    const [display, decoded] = new ImageService(index, config, { hostBudgetBytes }).caches();
    expect(display.name).toBe('displayImages');
    expect(decoded.name).toBe('decodedImages');
    expect(display.budgetBytes).toBe(200 * 1024 * 1024);
    expect(decoded.budgetBytes).toBe(100 * 1024 * 1024);
    const [fixed] = service(config, { displayImages: 12345 }).caches();
    expect(fixed.budgetBytes).toBe(12345);
  });

  it('caches display pictures: the second request decodes nothing', async () => {
    const images = service();
    const first = await images.getDisplay(id('a/wide.jpg'));
    const second = await images.getDisplay(id('a/wide.jpg'));
    expect(second).toBe(first);
    expect(images.stats().decodes).toEqual({ display: 1 });
    const [display] = images.caches();
    expect(display.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
    expect(display.sizeBytes).toBeGreaterThanOrEqual(first.data.length);
  });

  it('shares one decode between concurrent requests and drops idle LazyImages', async () => {
    const images = service();
    const pending = [1, 2, 3, 4].map(() => images.getRgb(id('c/photo.webp')));
    const results = await Promise.all(pending);
    expect(new Set(results).size).toBe(1);
    expect(images.stats()).toEqual({ decodes: { rgb: 1 }, imagesInFlight: 0 });
    const [, decoded] = images.caches();
    expect(decoded.stats().entries).toBe(1);
  });

  it('serves every output with the configured sizes', async () => {
    const config = defaultConfig().with({
      'dataset.displayMaxSize': 800,
      'dataset.thumbnailSize': 64,
      'dataset.displayFormat': 'webp',
    });
    const images = service(config);
    const wide = id('a/wide.jpg');
    const display = await images.getDisplay(wide);
    expect([display.width, display.height, display.contentType]).toEqual([800, 450, 'image/webp']);
    const thumb = await images.getThumbnail(wide);
    expect([thumb.width, thumb.height]).toEqual([64, 36]);
    const small = await images.getDisplay(id('b/small.png'));
    expect([small.width, small.height]).toEqual([200, 100]);
    const a = await images.getModelInput(wide, 'longest-side');
    expect([a.width, a.height]).toEqual([1024, 576]);
    const b = await images.getModelInput(wide, 'squash');
    expect([b.width, b.height]).toEqual([1024, 1024]);
    const meta = await images.metadata(wide);
    expect([meta.width, meta.height, meta.format]).toEqual([1600, 900, 'jpeg']);
    expect(images.caches().map((c) => c.stats().entries)).toEqual([3, 2]);
  });

  it('keeps within its byte budget', async () => {
    const images = service(defaultConfig(), { decodedImages: 3 * 1024 * 1024 });
    const wide = await images.getRgb(id('a/wide.jpg')); // larger than the whole budget, not kept
    const photo = await images.getRgb(id('c/photo.webp'));
    const small = await images.getRgb(id('b/small.png'));
    expect(wide.data.length).toBeGreaterThan(3 * 1024 * 1024);
    const [, decoded] = images.caches();
    expect(decoded.sizeBytes).toBeLessThanOrEqual(3 * 1024 * 1024);
    expect(decoded.sizeBytes).toBeGreaterThanOrEqual(photo.data.length + small.data.length);
    expect(decoded.stats().entries).toBe(2);
  });

  it('hands out pixels a caller still holds after eviction, and decodes again once they are collected', async () => {
    const images = service();
    const [display, decoded] = images.caches();
    const photo = id('c/photo.webp');
    const observer = collectionObserver();
    let held: RawImage | undefined = await images.getRgb(photo);
    observer.track(held, 'rgb');
    // The memory manager under pressure: the budgeted tier lets go of everything.
    expect(decoded.shrinkTo(0)).toBeGreaterThanOrEqual(held.data.length);
    expect(decoded.sizeBytes).toBe(0);
    let again: RawImage | undefined = await images.getRgb(photo);
    expect(again).toBe(held);
    expect(images.stats().decodes).toEqual({ rgb: 1 });
    expect(decoded.stats()).toMatchObject({ weakHits: 1, entries: 1 });

    held = undefined;
    again = undefined;
    decoded.shrinkTo(0); // the weak hit put the pixels back into the budgeted tier
    expect(await collectGarbageUntil(() => observer.collected.has('rgb'))).toBe(true);
    const fresh = await images.getRgb(photo);
    expect([fresh.width, fresh.height]).toEqual([640, 480]);
    expect(images.stats().decodes).toEqual({ rgb: 2 });
    expect(decoded.stats().weakHits).toBe(1);
    // Both caches stay what the memory manager registers.
    for (const cache of [display, decoded]) {
      expect(typeof cache.setBudget).toBe('function');
      expect(cache.purgeStale()).toBe(0);
    }
  });

  it('marks an image broken when its pixels fail, then refuses it without decoding', async () => {
    const images = service();
    const cut = id('d/cut.jpg');
    const err = await images.getRgb(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).reason).toBe('truncated');
    expect(index.isBroken(cut)).toBe(true);
    await expect(images.getDisplay(cut)).rejects.toBe(err);
    expect(images.stats().decodes).toEqual({ rgb: 1 });
    const text = await images.getThumbnail(id('e/text.jpg')).catch((e: unknown) => e);
    expect((text as ImageDecodeError).reason).toBe('not-an-image');
    expect(index.broken().map((b) => b.entry.relPath)).toEqual(['d/cut.jpg', 'e/text.jpg']);
    // The rest of the dataset is unaffected.
    expect((await images.getThumbnail(id('b/small.png'))).width).toBe(200);
  });

  it('rejects unknown ids with a typed error', async () => {
    await expect(service().getDisplay('ffffffffffffffff')).rejects.toBeInstanceOf(
      UnknownImageError,
    );
  });
});

describe('ImageService and files edited on disk', () => {
  it('serves the new version of a replaced file, sized by its new header', async () => {
    const { dir: own, remove: removeOwn } = tempDir('service-replaced');
    try {
      const file = put(own, 'later.jpg', await gradientImage(300, 200, 'jpeg'));
      const edits = ImageIndex.open(own);
      const images = new ImageService(edits, defaultConfig(), {
        hostBudgetBytes: TEST_HOST_BUDGET,
      });
      const later = edits.byRelPath('later.jpg')!.id;
      const before = await images.getModelInput(later, 'longest-side');
      expect([before.width, before.height]).toEqual([1024, 683]);
      await images.getDisplay(later);
      expect(images.caches().map((c) => c.stats().entries)).toEqual([1, 1]);

      writeFileSync(file, await gradientImage(50, 1000, 'jpeg'));
      const input = await images.getModelInput(later, 'longest-side');
      // 1024 / 1000 * 50 = 51.2 -> 51: the new picture's shape, not the old one squashed.
      expect([input.width, input.height]).toEqual([51, 1024]);
      const display = await images.getDisplay(later);
      expect([display.width, display.height]).toEqual([50, 1000]);
      expect((await images.metadata(later)).height).toBe(1000);
      // The old version's outputs are gone from both caches, not left to age out.
      expect(images.caches().map((c) => c.stats().entries)).toEqual([1, 1]);
      expect(images.stats().decodes).toEqual({ 'model-longest-side': 2, display: 2 });
    } finally {
      removeOwn();
    }
  });

  it('decodes again when the file changes while it is being decoded', async () => {
    const { dir: own, remove: removeOwn } = tempDir('service-mid-decode');
    try {
      const file = put(own, 'saving.jpg', await gradientImage(4000, 3000, 'jpeg'));
      const edits = ImageIndex.open(own);
      const images = new ImageService(edits, defaultConfig(), {
        hostBudgetBytes: TEST_HOST_BUDGET,
      });
      const saving = edits.byRelPath('saving.jpg')!.id;
      const pending = images.getRgb(saving);
      // The decode has started (a 12-megapixel JPEG takes far longer than this loop).
      while (images.stats().decodes.rgb !== 1) await new Promise((r) => setImmediate(r));
      writeFileSync(file, await gradientImage(30, 20, 'jpeg'));
      const pixels = await pending;
      expect([pixels.width, pixels.height]).toEqual([30, 20]);
      expect(images.stats().decodes).toEqual({ rgb: 2 });
      expect(edits.broken()).toEqual([]);
    } finally {
      removeOwn();
    }
  });

  it('does not keep a file that was missing for a moment as broken', async () => {
    const { dir: own, remove: removeOwn } = tempDir('service-missing');
    try {
      const file = put(own, 'saved.png', await gradientImage(40, 30, 'png'));
      const edits = ImageIndex.open(own);
      const images = new ImageService(edits, defaultConfig(), {
        hostBudgetBytes: TEST_HOST_BUDGET,
      });
      const saved = edits.byRelPath('saved.png')!.id;
      const content = readFileSync(file);
      rmSync(file);
      const err = await images.getThumbnail(saved).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect((err as ImageDecodeError).reason).toBe('io');
      expect(edits.isBroken(saved)).toBe(true); // listed, until the next request
      writeFileSync(file, content);
      expect((await images.getThumbnail(saved)).width).toBe(40);
      expect(edits.broken()).toEqual([]);
    } finally {
      removeOwn();
    }
  });
});

describe('ImageService on the example photos', () => {
  it('serves every photo and reports the truncated file', async () => {
    const { dir: photos, remove: removePhotos } = tempDir('service-photos');
    try {
      photosWithTruncated(photos);
      const samples = ImageIndex.open(photos);
      const images = new ImageService(samples, defaultConfig(), {
        hostBudgetBytes: TEST_HOST_BUDGET,
      });
      const rows: string[] = [];
      for (const entry of samples.entries()) {
        try {
          const [display, thumb, a] = await Promise.all([
            images.getDisplay(entry.id),
            images.getThumbnail(entry.id),
            images.getModelInput(entry.id, 'longest-side'),
          ]);
          rows.push(
            `${entry.relPath} ${display.width}x${display.height} ${thumb.width}x${thumb.height} ${a.width}x${a.height}`,
          );
        } catch (err) {
          rows.push(`${entry.relPath} ${(err as ImageDecodeError).reason}`);
        }
      }
      expect(rows).toEqual([
        'astronaut.png 512x512 256x256 1024x1024',
        'chelsea.png 451x300 256x170 1024x681',
        'coffee.png 600x400 256x171 1024x683',
        'coins.png 384x303 256x202 1024x808',
        'horse.png 400x328 256x210 1024x840',
        'hubble_deep_field.jpg 1000x872 256x223 1024x893',
        'retina.jpg 1411x1411 256x256 1024x1024',
        'rocket.jpg 640x427 256x171 1024x683',
        'truncated.jpg truncated',
      ]);
      expect(samples.broken().map((b) => b.entry.relPath)).toEqual(['truncated.jpg']);
    } finally {
      removePhotos();
    }
  });
});
