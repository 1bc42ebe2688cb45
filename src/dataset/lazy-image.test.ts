import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { decodeSettingsFrom, type DecodeSettings } from './decode-settings.js';
import { ImageChangedError, ImageDecodeError } from './errors.js';
import { readImageHeader } from './header.js';
import { LazyImage } from './lazy-image.js';
import type { RawImage } from './raw-image.js';
import { resampleBilinear } from './resample-bilinear.js';
import {
  entryFor,
  gradientImage,
  gradientPixels,
  halvesJpeg,
  lazyImage,
  photo,
  put,
  tempDir,
  withoutIccProfile,
} from './test-fixtures.js';
import { readFileSync, writeFileSync } from 'node:fs';

const settings: DecodeSettings = {
  ...decodeSettingsFrom(defaultConfig()),
  displayMaxSize: 1024,
  thumbnailSize: 128,
};

function lazy(file: string, overrides: Partial<DecodeSettings> = {}): LazyImage {
  return lazyImage(file, { ...settings, ...overrides });
}

function pixel(image: RawImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

const { dir, remove } = tempDir('lazy');
afterAll(remove);

let rotated: string;
let big: string;
let cut: string;
beforeAll(async () => {
  rotated = put(dir, 'rotated.jpg', await halvesJpeg(40, 20, { orientation: 6 }));
  big = put(dir, 'big.jpg', await gradientImage(3000, 2000, 'jpeg'));
  const rocket = readFileSync(photo('rocket.jpg'));
  cut = put(dir, 'cut.jpg', rocket.subarray(0, Math.floor(rocket.length / 2)));
});

describe('LazyImage.rgb', () => {
  it('applies EXIF orientation: stored left half (red) ends up on top', async () => {
    const image = await lazy(rotated).rgb();
    expect([image.width, image.height, image.data.length]).toEqual([20, 40, 20 * 40 * 3]);
    const [r1, , b1] = pixel(image, 10, 2);
    const [r2, , b2] = pixel(image, 10, 37);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it('flattens transparency on white and always gives 3 channels', async () => {
    // Left half transparent black, right half opaque red.
    const rgba = Buffer.alloc(8 * 4 * 4);
    for (let i = 0; i < 32; i++) if (i % 8 >= 4) rgba.set([255, 0, 0, 255], i * 4);
    const file = put(
      dir,
      'alpha.png',
      await sharp(rgba, { raw: { width: 8, height: 4, channels: 4 } })
        .png()
        .toBuffer(),
    );
    const image = await lazy(file).rgb();
    expect(image.data.length).toBe(8 * 4 * 3);
    expect(pixel(image, 1, 1)).toEqual([255, 255, 255]);
    expect(pixel(image, 6, 2)).toEqual([255, 0, 0]);
    const horse = await lazy(photo('horse.png')).rgb(); // RGBA sample
    expect(horse.data.length).toBe(400 * 328 * 3);
    const coins = await lazy(photo('coins.png')).rgb(); // grayscale
    expect(coins.data.length).toBe(384 * 303 * 3);
    const [r, g, b] = pixel(coins, 100, 100);
    expect(r).toBe(g);
    expect(g).toBe(b);
  });
});

describe('LazyImage decoding on demand', () => {
  it('shares one decode between concurrent requests for the same output', async () => {
    const image = lazy(big);
    const results = await Promise.all([image.display(), image.display(), image.display()]);
    expect(image.decodes).toBe(1);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    const [thumb, rgb] = await Promise.all([image.thumbnail(), image.rgb(), image.thumbnail()]);
    expect(image.decodes).toBe(3);
    expect(thumb.width).toBe(128);
    expect(rgb.width).toBe(3000);
    // Nothing is kept once the work is done: caching is the caller's business.
    expect(image.busy).toBe(false);
    await image.display();
    expect(image.decodes).toBe(4);
  });

  it('decodes nothing when the header check fails', async () => {
    const image = lazy(big, { pixelLimit: 1000 });
    const err = await image.display().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).reason).toBe('too-many-pixels');
    expect(image.decodes).toBe(0);
  });

  it('reports data that ends early as truncated, naming the file', async () => {
    const image = lazy(cut);
    const header = await readImageHeader(cut, settings.pixelLimit);
    expect(header.width).toBe(640); // the header survives: only the pixels are missing
    const err = (await image.rgb().catch((e: unknown) => e)) as ImageDecodeError;
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/^Cannot decode .*cut\.jpg: the file is truncated/);
  });
});

describe('LazyImage and a file replaced on disk', () => {
  it('refuses pixels of another version than its header, rather than size them wrongly', async () => {
    const file = put(dir, 'replaced.jpg', await gradientImage(300, 200, 'jpeg'));
    const header = await readImageHeader(file, settings.pixelLimit);
    const image = new LazyImage(entryFor(file), {
      settings,
      header: async () => header,
    });
    expect((await image.modelInput('longest-side')).height).toBe(683);
    writeFileSync(file, await gradientImage(50, 1000, 'jpeg'));
    // Handlers attached at once: the three decodes run concurrently and may all reject early.
    const outcomes = await Promise.all(
      ([image.modelInput('longest-side'), image.rgb(), image.display()] as Promise<unknown>[]).map(
        (output) => output.catch((e: unknown) => e),
      ),
    );
    for (const err of outcomes) {
      expect(err).toBeInstanceOf(ImageChangedError);
      expect((err as ImageChangedError).message).toContain(file);
    }
  });
});

describe('LazyImage.display and thumbnail', () => {
  it('shrinks to the longest side, as JPEG by default', async () => {
    const picture = await lazy(big).display();
    expect([picture.width, picture.height]).toEqual([1024, 683]);
    expect(picture.format).toBe('jpeg');
    expect(picture.contentType).toBe('image/jpeg');
    const meta = await sharp(picture.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1024, 683]);
  });

  it('never enlarges a small picture', async () => {
    const picture = await lazy(photo('chelsea.png')).display();
    expect([picture.width, picture.height]).toEqual([451, 300]);
  });

  it('encodes WebP when configured, and makes thumbnails by the thumbnail size', async () => {
    const image = lazy(photo('coffee.png'), { displayFormat: 'webp' });
    const thumb = await image.thumbnail();
    expect([thumb.width, thumb.height, thumb.format, thumb.contentType]).toEqual([
      128,
      85,
      'webp',
      'image/webp',
    ]);
    expect((await sharp(thumb.data).metadata()).format).toBe('webp');
  });

  it('orients display pictures too', async () => {
    const picture = await lazy(rotated).display();
    expect([picture.width, picture.height]).toEqual([20, 40]);
  });

  it('uses the configured quality', async () => {
    const low = await lazy(big, { displayQuality: 20 }).display();
    const high = await lazy(big, { displayQuality: 95 }).display();
    expect(low.data.length).toBeLessThan(high.data.length);
  });
});

describe('LazyImage colour', () => {
  it('gives the model the pixels as stored, ignoring an embedded ICC profile, as the reference does', async () => {
    // rocket.jpg carries an ICC profile; the same JPEG without it decodes to the stored pixels,
    // which is what Pillow's convert('RGB') and cv2.imread hand the reference encoder.
    const stripped = put(
      dir,
      'rocket-no-icc.jpg',
      withoutIccProfile(readFileSync(photo('rocket.jpg'))),
    );
    expect((await sharp(photo('rocket.jpg')).metadata()).icc).toBeDefined();
    expect((await sharp(stripped).metadata()).icc).toBeUndefined();
    const stored = await sharp(stripped).raw().toBuffer({ resolveWithObject: true });
    // 640 x 427 -> 1024 x 683 enlarges: the model input is the reference bilinear resize itself.
    const expected = resampleBilinear(
      { width: stored.info.width, height: stored.info.height, data: stored.data },
      1024,
      683,
    );
    const input = await lazy(photo('rocket.jpg')).modelInput('longest-side');
    expect([input.width, input.height]).toEqual([1024, 683]);
    expect(input.data.equals(expected.data)).toBe(true);
    // The profile does matter: the colour-managed picture (what the browser shows) differs.
    const shown = await lazy(photo('rocket.jpg')).rgb();
    expect(meanAbsDiff(shown.data, stored.data)).toBeGreaterThan(3);
    const shownStripped = await lazy(stripped).rgb();
    expect(shownStripped.data.equals(stored.data)).toBe(true);
  });

  it('ignores the profile when shrinking too, and converts CMYK to RGB all the same', async () => {
    // A wide-gamut (Display P3) JPEG and the same file without its profile: the model sees the
    // same stored pixels in both, shrunk by the same steps.
    const p3 = await sharp(gradientPixels(1600, 1200).data, {
      raw: { width: 1600, height: 1200, channels: 3 },
    })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const tagged = put(dir, 'p3.jpg', p3);
    const untagged = put(dir, 'p3-no-icc.jpg', withoutIccProfile(p3));
    for (const contract of ['longest-side', 'squash'] as const) {
      const a = await lazy(tagged).modelInput(contract);
      const b = await lazy(untagged).modelInput(contract);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      expect(a.data.equals(b.data)).toBe(true);
    }
    expect(
      meanAbsDiff((await lazy(tagged).rgb()).data, (await lazy(untagged).rgb()).data),
    ).toBeGreaterThan(1);
    const cmyk = put(
      dir,
      'cmyk.jpg',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
        .toColourspace('cmyk')
        .jpeg()
        .toBuffer(),
    );
    const input = await lazy(cmyk).modelInput('longest-side');
    expect(input.data.length).toBe(1024 * 1024 * 3);
    const [r, g, b] = pixel(input, 500, 500);
    expect(r).toBeGreaterThan(200);
    expect(g! + b!).toBeLessThan(60);
  });
});

describe('LazyImage.modelInput', () => {
  it('contract A: longest side 1024 with the reference rounding', async () => {
    const hubble = await lazy(photo('hubble_deep_field.jpg')).modelInput('longest-side');
    expect([hubble.width, hubble.height, hubble.data.length]).toEqual([1024, 893, 1024 * 893 * 3]);
    const chelsea = await lazy(photo('chelsea.png')).modelInput('longest-side');
    expect([chelsea.width, chelsea.height]).toEqual([1024, 681]);
    const large = await lazy(big).modelInput('longest-side');
    expect([large.width, large.height]).toEqual([1024, 683]);
    const turned = await lazy(rotated).modelInput('longest-side');
    expect([turned.width, turned.height]).toEqual([512, 1024]);
  });

  it('contract B: squashed to 1024 x 1024', async () => {
    for (const file of [big, photo('chelsea.png'), rotated]) {
      const input = await lazy(file).modelInput('squash');
      expect([input.width, input.height, input.data.length]).toEqual([1024, 1024, 1024 * 1024 * 3]);
    }
  });

  it('resamples like the reference bilinear resize', async () => {
    const retina = lazy(photo('retina.jpg'));
    const reference = resampleBilinear(await retina.rgb(), 1024, 1024);
    const shrunk = await retina.modelInput('longest-side');
    expect(meanAbsDiff(shrunk.data, reference.data)).toBeLessThan(0.5);
    // Enlarging is the reference itself: a flat colour stays exactly that colour.
    const turned = await lazy(rotated).modelInput('longest-side');
    expect(pixel(turned, 256, 10)[0]).toBeGreaterThan(200);
    expect(pixel(turned, 256, 1013)[2]).toBeGreaterThan(200);
  });
});
