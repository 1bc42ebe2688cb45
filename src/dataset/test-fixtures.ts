/**
 * Real image files for the dataset tests, made with sharp in temporary folders. Test support only
 * (imported by *.test.ts files).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { encode as encodeBmp } from 'bmp-ts';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { DecodeSettings } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';
import { formatOfName } from './formats.js';
import { readImageHeader } from './header.js';
import type { ImageEntry } from './image-entry.js';
import { LazyImage } from './lazy-image.js';
import type { RawImage } from './raw-image.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The example photos in the repository (read-only; sizes and terms in LICENSES.md there). */
export const photosDir = path.join(repoRoot, 'examples/photos');

export function photo(name: string): string {
  return path.join(photosDir, name);
}

/** A JPEG cut short on purpose, in the repository (test/fixtures/README.md). */
export const truncatedJpeg = path.join(repoRoot, 'test/fixtures/truncated.jpg');

/** The example photos, in index order. */
export const PHOTOS = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'coins.png',
  'horse.png',
  'hubble_deep_field.jpg',
  'retina.jpg',
  'rocket.jpg',
] as const;

/** The example photos and the truncated JPEG, copied into `dir` (a dataset with one bad file). */
export function photosWithTruncated(dir: string): void {
  for (const name of PHOTOS) put(dir, name, readFileSync(photo(name)));
  put(dir, 'truncated.jpg', readFileSync(truncatedJpeg));
}

/** A host memory budget for services in tests: large enough that nothing is evicted. */
export const TEST_HOST_BUDGET = 4 * 1024 * 1024 * 1024;

/** An index entry for any file, as the scan would make it (format from the name). */
export function entryFor(file: string): ImageEntry {
  const stats = statSync(file);
  return {
    id: 'test',
    relPath: path.basename(file),
    absPath: file,
    bytes: stats.size,
    mtimeMs: stats.mtimeMs,
    format: formatOfName(path.basename(file)) ?? 'jpeg',
  };
}

/** A LazyImage over any file, with the header read the way the index reads it. */
export function lazyImage(file: string, settings: DecodeSettings): LazyImage {
  return new LazyImage(entryFor(file), {
    settings,
    header: () => readImageHeader(file, settings.pixelLimit),
  });
}

/**
 * The same JPEG without its ICC profile (APP2 "ICC_PROFILE" segments), byte for byte otherwise:
 * what any decoder gives for it is the file's pixels as stored, with no colour management.
 */
export function withoutIccProfile(jpeg: Buffer): Buffer {
  const kept = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at < jpeg.length) {
    const marker = jpeg.readUInt16BE(at);
    if (marker === 0xffda) {
      kept.push(jpeg.subarray(at)); // start of scan: entropy-coded data to the end
      break;
    }
    const segment = jpeg.subarray(at, at + 2 + jpeg.readUInt16BE(at + 2));
    const isIcc = marker === 0xffe2 && segment.toString('latin1', 4, 16) === 'ICC_PROFILE\0';
    if (!isIcc) kept.push(segment);
    at += segment.length;
  }
  return Buffer.concat(kept);
}

/** Rejection reason of a promise that must reject with an ImageDecodeError. */
export async function decodeFailure(promise: Promise<unknown>): Promise<ImageDecodeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageDecodeError);
  return err as ImageDecodeError;
}

/** A fresh temporary folder and a function that deletes it. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sam-dataset-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `data` at `dir/rel`, creating folders. Returns the absolute path. */
export function put(dir: string, rel: string, data: Buffer | string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/**
 * A picture whose left half is red and right half blue (stored pixels), so that orientation
 * can be checked from the decoded pixels.
 */
export async function halvesJpeg(
  width: number,
  height: number,
  options: { orientation?: number; quality?: number } = {},
): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) raw[i] = 255;
      else raw[i + 2] = 255;
    }
  }
  let image = sharp(raw, { raw: { width, height, channels: 3 } });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return image.jpeg({ quality: options.quality ?? 90 }).toBuffer();
}

/** A smooth picture with some structure (gradients), encoded as `format`. */
export async function gradientImage(
  width: number,
  height: number,
  format: 'jpeg' | 'png' | 'webp',
): Promise<Buffer> {
  const { data } = gradientPixels(width, height);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/**
 * A PNG that declares width x height pixels but holds only a few bytes of data: the header of a
 * decompression bomb. Decoding it would need width * height * 3 bytes.
 */
export function bombPngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export interface BmpParts {
  width: number;
  /** Negative for rows stored top row first. */
  height: number;
  bitsPerPixel: number;
  compression?: number;
  /** Info header size (40 unless given); the fields past the first 40 bytes are left 0. */
  infoBytes?: number;
  /** Bit-field masks, written from file offset 54: inside a V2+ header, after a 40-byte one. */
  masks?: number[];
  /** Colour table as [r, g, b], written as B, G, R, 0. */
  palette?: Array<[number, number, number]>;
  /** The colours-used field (the palette's length unless given). */
  colorsUsed?: number;
  /** Bytes left between the tables and the pixel rows. */
  gap?: number;
  /** The pixel rows exactly as stored, padding included. */
  rows: number[];
}

/**
 * A BMP put together byte by byte from its parts, with no encoder involved, so a decoder can be
 * checked against pixels whose stored bytes the test spells out.
 */
export function bmpFile(parts: BmpParts): Buffer {
  const infoBytes = parts.infoBytes ?? 40;
  const masks = parts.masks ?? [];
  const palette = parts.palette ?? [];
  const tablesEnd = Math.max(14 + infoBytes, 54 + masks.length * 4) + palette.length * 4;
  const pixelOffset = tablesEnd + (parts.gap ?? 0);
  const file = Buffer.alloc(pixelOffset + parts.rows.length);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(pixelOffset, 10);
  file.writeUInt32LE(infoBytes, 14);
  file.writeInt32LE(parts.width, 18);
  file.writeInt32LE(parts.height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(parts.bitsPerPixel, 28);
  file.writeUInt32LE(parts.compression ?? 0, 30);
  file.writeUInt32LE(parts.rows.length, 34);
  file.writeUInt32LE(parts.colorsUsed ?? palette.length, 46);
  masks.forEach((mask, i) => file.writeUInt32LE(mask, 54 + i * 4));
  const paletteAt = tablesEnd - palette.length * 4;
  palette.forEach(([r, g, b], i) => file.set([b, g, r, 0], paletteAt + i * 4));
  file.set(parts.rows, pixelOffset);
  return file;
}

/** An RGB picture (rows top to bottom) as a BMP written by bmp-ts's encoder. */
export function encodedBmp(rgb: RawImage, bitsPerPixel: 24 | 32): Buffer {
  const { width, height, data } = rgb;
  // The encoder takes A, B, G, R per pixel.
  const abgr = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    abgr[i * 4 + 1] = data[i * 3 + 2]!;
    abgr[i * 4 + 2] = data[i * 3 + 1]!;
    abgr[i * 4 + 3] = data[i * 3]!;
  }
  return encodeBmp({ width, height, data: abgr, bitPP: bitsPerPixel }).data;
}

/** The gradient of gradientImage as raw RGB. */
export function gradientPixels(width: number, height: number): RawImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.floor((x * 255) / width);
      data[i + 1] = Math.floor((y * 255) / height);
      data[i + 2] = (x ^ y) & 0xff;
    }
  }
  return { width, height, data };
}
