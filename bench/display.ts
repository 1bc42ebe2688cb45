/**
 * `npm run bench -- display [--images N] [--budget-mib M]`: display pictures (longest side 2048)
 * made from N 24-megapixel JPEGs (300 by default) through ImageService (decoded from the file's
 * bytes, so JPEG shrink-on-load applies, kept in a 512 MiB display cache) against the naive
 * baseline (decode the whole raw picture, then resize and encode in a second step). Targets: the
 * service is faster, and its peak RSS stays within 1.1 x (cache budget + idle RSS).
 *
 * The 512 MiB cache holds every picture (~130 MiB for 300), so a second phase, `constrained`,
 * runs the service path with a budget below that working set (M MiB; by default half of what the
 * first phase cached, 64 MiB for 300 pictures) and counts the evictions: the RSS target has to
 * hold while the cache is full and evicting. It runs in a child process so that its idle RSS is
 * a fresh process's, not one the first phases grew.
 *
 * Most of the RSS above idle + cache is not ours: glibc's malloc raises its mmap threshold after
 * the first large frees, so libvips' multi-megabyte temporaries land in per-thread arenas that
 * keep the pages (~250 MiB with glibc's defaults). `npm run bench` starts node with
 * MALLOC_ARENA_MAX=2 (package.json), which roughly halves that at no cost in speed;
 * MALLOC_MMAP_THRESHOLD_=131072 removes it at ~30% more decode time; jemalloc is what sharp
 * recommends. Those are process-start settings: run the runner without them to see the defaults.
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
import { type Benchmark, collect, flagValue, log, MiB, PeakRss, round, timeMs } from './lib.js';

const DEFAULT_IMAGES = 300;
const WIDTH = 6000;
const HEIGHT = 4000;
const DISPLAY_MAX = 2048;
const QUALITY = 88;
const BUDGET = 512 * MiB;
const DISTINCT_PICTURES = 3;
const MARKER = '.bench-complete.json';
const folder = path.join(os.tmpdir(), 'sam-annotator-bench', 'display');

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

/** Runs the benchmark runner again in a child process; its stdout lines, the JSON one last. */
function runChild(args: string[], stdout: 'inherit' | 'pipe'): string[] {
  const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const child = spawnSync(process.execPath, [...process.execArgv, runner, 'display', ...args], {
    stdio: ['ignore', stdout, 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) {
    throw new Error(
      `display ${args.join(' ')} failed in a child process (exit ${String(child.status)})`,
    );
  }
  return (child.stdout ?? '').split('\n').filter((line) => line.length > 0);
}

/** Generates in a child process of the same runner, unless the files are there already. */
function ensureImages(images: number): void {
  if (complete(images)) {
    log(`reusing ${folder}`);
    return;
  }
  runChild(['--generate-only', '--images', String(images)], 'inherit');
  if (!complete(images)) throw new Error('generating the benchmark pictures failed');
}

/** The naive display path: full decode to raw, then resize and encode from memory. */
async function baselineDisplay(file: string): Promise<Buffer> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .resize({ width: DISPLAY_MAX, height: DISPLAY_MAX, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: QUALITY })
    .toBuffer();
}

/** Every display picture once through an ImageService whose display cache has `budget` bytes. */
async function servicePhase(images: number, budget: number) {
  const config = defaultConfig().with({ 'dataset.displayMaxSize': DISPLAY_MAX });
  const index = ImageIndex.open(folder, { pixelLimit: config.get('dataset.decodePixelLimit') });
  const entries = index.entries().slice(0, images);
  // The whole image budget goes to display pictures, the only cache this path fills.
  const service = new ImageService(index, config, {
    hostBudgetBytes: budget,
    budgets: { displayImages: budget, decodedImages: 0 },
  });
  const [displayCache] = service.caches();

  collect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const idleRss = process.memoryUsage.rss();
  const sampler = new PeakRss();
  const display = await timeMs(async () => {
    for (const entry of entries) await service.getDisplay(entry.id);
  });
  const peakRss = sampler.stop();
  const cache = displayCache.stats();
  log(
    `display path, ${round(budget / MiB)} MiB budget: ` +
      `${round(display.ms / entries.length)} ms/image, cache ${cache.entries} pictures, ` +
      `${round(cache.sizeBytes / MiB, 1)} MiB, ${cache.evictions.budget} evicted`,
  );
  return {
    entries,
    ms: display.ms,
    figures: {
      budgetMiB: round(budget / MiB),
      peakRssMiB: round(peakRss / MiB, 1),
      idleRssMiB: round(idleRss / MiB, 1),
      rssBudgetRatio: round(peakRss / (budget + idleRss), 3),
      cachedMiB: round(cache.sizeBytes / MiB, 1),
      // Peak RSS not explained by the idle process or the cache: decode buffers in flight and
      // what the native allocator keeps after libvips frees them (see the note at the top).
      overheadMiB: round((peakRss - idleRss - cache.sizeBytes) / MiB, 1),
      cachedPictures: cache.entries,
      evictions: cache.evictions.budget,
      msPerImage: round(display.ms / entries.length),
    },
    decodeConcurrency: config.get('dataset.decodeConcurrency'),
  };
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
    if (args.includes('--service-only')) {
      return (await servicePhase(images, flagValue(args, '--budget-mib', 64) * MiB)).figures;
    }
    ensureImages(images);

    const service = await servicePhase(images, BUDGET);
    const { entries } = service;

    collect();
    const baselineRss = new PeakRss();
    const baseline = await timeMs(async () => {
      for (const entry of entries) await baselineDisplay(entry.absPath);
    });
    const baselinePeakRss = baselineRss.stop();
    log(`baseline: ${round(baseline.ms / entries.length)} ms/image`);

    const workingSetMiB = service.figures.cachedMiB;
    const constrainedMiB = flagValue(
      args,
      '--budget-mib',
      Math.max(1, Math.floor(workingSetMiB / 2)),
    );
    if (constrainedMiB >= workingSetMiB) {
      log(`note: --budget-mib ${constrainedMiB} holds the whole working set; nothing is evicted`);
    }
    const lines = runChild(
      ['--service-only', '--images', String(images), '--budget-mib', String(constrainedMiB)],
      'pipe',
    );
    for (const line of lines.slice(0, -1)) log(`  [constrained] ${line}`);
    const child = JSON.parse(lines.at(-1) ?? '{}') as Record<string, number>;
    if (child.evictions === undefined) throw new Error(`constrained phase: ${lines.at(-1)}`);

    const { budgetMiB, peakRssMiB, idleRssMiB, rssBudgetRatio, cachedMiB } = service.figures;
    return {
      images: entries.length,
      msPerImage: service.figures.msPerImage,
      baselineMsPerImage: round(baseline.ms / entries.length),
      speedup: round(baseline.ms / service.ms, 2),
      peakRssMiB,
      idleRssMiB,
      budgetMiB,
      rssBudgetRatio,
      cachedMiB,
      overheadMiB: service.figures.overheadMiB,
      cachedPictures: service.figures.cachedPictures,
      evictions: service.figures.evictions,
      baselinePeakRssMiB: round(baselinePeakRss / MiB, 1),
      decodeConcurrency: service.decodeConcurrency,
      constrained: {
        budgetMiB: child.budgetMiB,
        peakRssMiB: child.peakRssMiB,
        idleRssMiB: child.idleRssMiB,
        rssBudgetRatio: child.rssBudgetRatio,
        evictions: child.evictions,
        cachedMiB: child.cachedMiB,
        msPerImage: child.msPerImage,
      },
    };
  },
};

export default bench;
