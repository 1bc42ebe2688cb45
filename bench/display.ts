/**
 * `npm run bench -- display [--images N]`: display pictures (longest side 2048) made from N
 * 24-megapixel JPEGs (300 by default) through ImageService (straight from the file, so JPEG
 * shrink-on-load applies, kept in a 512 MiB display cache) against the naive baseline (decode the
 * whole raw picture, then resize and encode in a second step). Targets: the service is faster, and
 * its peak RSS stays within 1.1 x (cache budget + idle RSS).
 *
 * Most of the RSS above idle + cache is not ours: glibc's malloc raises its mmap threshold after
 * the first large frees, so libvips' multi-megabyte temporaries land in per-thread arenas that
 * keep the pages (~250 MiB here). MALLOC_ARENA_MAX=2 roughly halves that at no cost in speed;
 * MALLOC_MMAP_THRESHOLD_=131072 removes it at ~30% more decode time; jemalloc is what sharp
 * recommends. Those are process-start settings, so this benchmark runs with glibc defaults.
 *
 * The JPEGs are made once, in a child process (so that encoding them does not inflate this
 * process's RSS), and reused from os.tmpdir()/sam-annotator-bench/display: three distinct
 * pictures, each file a copy with its own JPEG comment so that no two files are equal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/index.js';
import { ImageIndex, ImageService } from '../src/dataset/index.js';
import { type Benchmark, log, MiB, PeakRss, round, timeMs } from './lib.js';

const DEFAULT_IMAGES = 300;
const WIDTH = 6000;
const HEIGHT = 4000;
const DISPLAY_MAX = 2048;
const QUALITY = 88;
const BUDGET = 512 * MiB;
const DISTINCT_PICTURES = 3;
const MARKER = '.bench-complete.json';
const folder = path.join(os.tmpdir(), 'sam-annotator-bench', 'display');

function flagValue(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} expects a positive whole number, got ${String(args[at + 1])}`);
  }
  return value;
}

function complete(images: number): boolean {
  const marker = path.join(folder, MARKER);
  return existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).images >= images;
}

/** Gradients, rings, blotches and grain: structure at every scale, like a photo. */
async function picture(seed: number): Promise<Buffer> {
  const raw = Buffer.allocUnsafe(WIDTH * HEIGHT * 3);
  let noise = seed * 2654435761;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      noise = (Math.imul(noise, 1103515245) + 12345) >>> 0;
      const grain = (noise >>> 28) - 8;
      // Blotches of 8 x 8 pixels survive the downscale, as texture in a photo does.
      const blotch =
        (Math.imul(((x >> 3) * 73856093) ^ ((y >> 3) * 19349663), 2654435761) >>> 27) - 16;
      const ring = Math.sin(Math.hypot(x - 2000 * seed, y - 1500) / (40 + 10 * seed)) * 40;
      const i = (y * WIDTH + x) * 3;
      raw[i] = Math.max(0, Math.min(255, (x * 200) / WIDTH + ring + grain + blotch));
      raw[i + 1] = Math.max(0, Math.min(255, (y * 200) / HEIGHT - ring + grain + 30 - blotch));
      raw[i + 2] = Math.max(0, Math.min(255, 128 + ring + grain + seed * 30));
    }
  }
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The same JPEG with a comment segment (FF FE) after the start marker. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)]);
}

async function generate(images: number): Promise<void> {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const pictures: Buffer[] = [];
  for (let seed = 1; seed <= DISTINCT_PICTURES; seed++) {
    const { ms, value } = await timeMs(() => picture(seed));
    pictures.push(value);
    log(`picture ${seed}: ${round(value.length / MiB, 1)} MiB JPEG in ${round(ms)} ms`);
  }
  for (let n = 0; n < images; n++) {
    const name = `photo_${String(n).padStart(4, '0')}.jpg`;
    writeFileSync(
      path.join(folder, name),
      withComment(pictures[n % pictures.length]!, `copy ${n}`),
    );
  }
  writeFileSync(path.join(folder, MARKER), JSON.stringify({ images }));
  log(`wrote ${images} files to ${folder}`);
}

/** Generates in a child process of the same runner, unless the files are there already. */
function ensureImages(images: number): void {
  if (complete(images)) {
    log(`reusing ${folder}`);
    return;
  }
  const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, runner, 'display', '--generate-only', '--images', String(images)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (child.status !== 0 || !complete(images)) {
    throw new Error(`generating the benchmark pictures failed (exit ${String(child.status)})`);
  }
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The naive display path: full decode to raw, then resize and encode from memory. */
async function baselineDisplay(file: string): Promise<Buffer> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .resize({ width: DISPLAY_MAX, height: DISPLAY_MAX, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: QUALITY })
    .toBuffer();
}

const bench: Benchmark = {
  name: 'display',
  description: 'display pictures from 24 MP JPEGs: shrink-on-load + budgeted cache vs full decode',
  async run(args) {
    const images = flagValue(args, '--images', DEFAULT_IMAGES);
    if (args.includes('--generate-only')) {
      await generate(images);
      return { generated: images };
    }
    ensureImages(images);

    const config = defaultConfig().with({ 'dataset.displayMaxSize': DISPLAY_MAX });
    const index = ImageIndex.open(folder, { pixelLimit: config.get('dataset.decodePixelLimit') });
    const entries = index.entries().slice(0, images);
    // The whole image budget goes to display pictures, the only cache this path fills.
    const service = new ImageService(index, config, {
      budgets: { displayImages: BUDGET, decodedImages: 0 },
    });
    const [displayCache] = service.caches();

    collect();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idleRss = process.memoryUsage.rss();
    const displayRss = new PeakRss();
    const display = await timeMs(async () => {
      for (const entry of entries) await service.getDisplay(entry.id);
    });
    const peakRss = displayRss.stop();
    const cache = displayCache.stats();
    log(
      `display path: ${round(display.ms / entries.length)} ms/image, cache ` +
        `${cache.entries} pictures, ${round(cache.sizeBytes / MiB, 1)} MiB, ` +
        `${cache.evictions.budget} evicted`,
    );

    collect();
    const baselineRss = new PeakRss();
    const baseline = await timeMs(async () => {
      for (const entry of entries) await baselineDisplay(entry.absPath);
    });
    const baselinePeakRss = baselineRss.stop();
    log(`baseline: ${round(baseline.ms / entries.length)} ms/image`);

    return {
      images: entries.length,
      msPerImage: round(display.ms / entries.length),
      baselineMsPerImage: round(baseline.ms / entries.length),
      speedup: round(baseline.ms / display.ms, 2),
      peakRssMiB: round(peakRss / MiB, 1),
      idleRssMiB: round(idleRss / MiB, 1),
      budgetMiB: round(BUDGET / MiB),
      rssBudgetRatio: round(peakRss / (BUDGET + idleRss), 3),
      cachedMiB: round(cache.sizeBytes / MiB, 1),
      // Peak RSS not explained by the idle process or the cache: decode buffers in flight and
      // what the native allocator keeps after libvips frees them (see the note at the top).
      overheadMiB: round((peakRss - idleRss - cache.sizeBytes) / MiB, 1),
      cachedPictures: cache.entries,
      evictions: cache.evictions.budget,
      baselinePeakRssMiB: round(baselinePeakRss / MiB, 1),
      decodeConcurrency: config.get('dataset.decodeConcurrency'),
    };
  },
};

export default bench;
