/**
 * Real datasets for importer tests: image files written by sharp into a temporary folder,
 * scanned by the real ImageIndex, sizes read from their headers on demand.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { crc32 } from '../../cache/crc32.js';
import { ImageIndex } from '../../dataset/index.js';
import { decodeRle, type Bitmap } from '../../geometry/index.js';
import type { ImportBatch } from '../../store/records.js';
import { importContextFromIndex, type ImportContext } from './context.js';

export interface TestDataset {
  dir: string;
  ctx: ImportContext;
  /** Writes a file below the dataset folder (creating folders). */
  write(rel: string, content: string | Uint8Array): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeDataset(
  /** Images drawn by sharp at the given size, or `bytes` written as they are (broken files). */
  images: readonly { path: string; width: number; height: number; bytes?: Uint8Array }[],
  options: { inMemory?: boolean } = {},
): Promise<TestDataset> {
  // The fuzz test writes a file per case: on a busy shared disk, tmpfs keeps it fast.
  const base = options.inMemory && existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = await mkdtemp(path.join(base, 'sam-import-'));
  const write = async (rel: string, content: string | Uint8Array): Promise<string> => {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    return file;
  };
  for (const image of images) {
    const file = path.join(dir, image.path);
    await mkdir(path.dirname(file), { recursive: true });
    if (image.bytes) {
      await writeFile(file, image.bytes);
      continue;
    }
    const raw = sharp({
      create: { width: image.width, height: image.height, channels: 3, background: '#808080' },
    });
    await (image.path.endsWith('.png') ? raw.png() : raw.jpeg()).toFile(file);
  }
  const ctx = importContextFromIndex(ImageIndex.open(dir));
  return { dir, ctx, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The masks of one image of a batch, decoded, with their class names. */
export function batchMasks(
  batch: ImportBatch,
  imagePath: string,
): { className: string; mask: Bitmap; score?: number | null }[] {
  const image = batch.images.find((i) => i.path === imagePath);
  if (!image)
    throw new Error(`no ${imagePath} in the batch: ${batch.images.map((i) => i.path).join(', ')}`);
  return image.objects.map((o) => ({
    className: o.className,
    mask: decodeRle(o.rle),
    score: o.score,
  }));
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A minimal 8-bit palette PNG (our own writer: indices exactly as given) with every row filtered `filter` (0 None, 1 Sub, 2 Up). */
export function palettePng(
  indices: Uint8Array,
  width: number,
  height: number,
  filter = 0,
  palette: Uint8Array = Buffer.alloc(256 * 3, 7),
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 3;
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    rows[y * (width + 1)] = filter;
    for (let x = 0; x < width; x++) {
      const v = indices[y * width + x]!;
      const left = x > 0 ? indices[y * width + x - 1]! : 0;
      const up = y > 0 ? indices[(y - 1) * width + x]! : 0;
      rows[y * (width + 1) + 1 + x] = (v - (filter === 1 ? left : filter === 2 ? up : 0)) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
