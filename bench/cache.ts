/**
 * `npm run bench -- cache [--reps N] [--encode-reps N] [--model NAME|DIR|FILE]`: what the disk
 * tier of EmbeddingStore saves. For one picture, the time to get its embedding
 * - from disk: a fresh store (RAM empty) over a disk folder that holds the entry, its folder
 *   already opened (once per process, not per lookup), so the figure is read + checksum +
 *   decode to float32;
 * - from the encoder: a store without a disk tier, so the figure is what a miss costs (the
 *   picture decoded and resized from its file, then the encoder run).
 * Both through EmbeddingStore.get at interactive priority, for float16 (the default) and float32
 * disk entries. Target: diskHitMs / encodeMs <= 0.03 (float16).
 *
 * Picture: the generated objects scene at 1500x1000 as a JPEG. Model: the heavy generated
 * encoder (about a MobileSAM encoder's cost), or the pair --model names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { configureSharp } from '../src/dataset/index.js';
import { defaultConfig } from '../src/config/index.js';
import {
  EmbeddingStore,
  WorkQueue,
  type DiskDtype,
  type EmbeddingTier,
} from '../src/model/embedding/index.js';
import { segmenterImageFromFile } from '../src/model/segmenter-image.js';
import type { Segmenter, SegmenterImage } from '../src/model/segmenter.js';
import { objectsScene } from '../tools/test-models/test-support.js';
import { benchSegmenter } from './segmenter-choice.js';
import { type Benchmark, collect, flagValue, log, nowMs, percentile, round } from './lib.js';

const TARGET_RATIO = 0.03;
const GiB = 1024 ** 3;

function store(diskRoot: string | null, diskDtype: DiskDtype): EmbeddingStore {
  return new EmbeddingStore({
    queue: new WorkQueue(),
    diskRoot,
    diskCapBytes: 4 * GiB,
    diskDtype,
    ramBudgetBytes: GiB,
    ramTtlMs: 0,
  });
}

/** Milliseconds of one get() on `fresh()`, which must answer from `tier`. */
async function timedGet(
  fresh: () => Promise<EmbeddingStore>,
  segmenter: Segmenter,
  image: SegmenterImage,
  tier: EmbeddingTier,
): Promise<number> {
  const s = await fresh();
  collect();
  const started = nowMs();
  const result = await s.get(segmenter, image, { priority: 'interactive' });
  const ms = nowMs() - started;
  if (result.tier !== tier) throw new Error(`expected an answer from ${tier}, got ${result.tier}`);
  return ms;
}

async function measure(
  segmenter: Segmenter,
  image: SegmenterImage,
  dtype: DiskDtype,
  reps: number,
  encodeReps: number,
): Promise<Record<string, number>> {
  const diskRoot = await mkdtemp(path.join(os.tmpdir(), `sam-bench-cache-${dtype}-`));
  try {
    const warm = store(diskRoot, dtype);
    await warm.get(segmenter, image, { priority: 'interactive' });
    await warm.flush();
    const bytes = warm.stats().disk.folders.reduce((sum, f) => sum + f.bytes, 0);
    if (warm.stats().disk.writes !== 1) throw new Error(`the ${dtype} entry was not written`);

    const fromDisk = async () => {
      const s = store(diskRoot, dtype);
      // Opens the model's folder (scans it): once per process in the application.
      if ((await s.cachedTier(segmenter.id, image.key)) !== 'disk') throw new Error('not on disk');
      return s;
    };
    const hits: number[] = [];
    const encodes: number[] = [];
    await timedGet(fromDisk, segmenter, image, 'disk');
    for (let r = 0; r < reps; r++) hits.push(await timedGet(fromDisk, segmenter, image, 'disk'));
    for (let r = 0; r < encodeReps; r++) {
      encodes.push(await timedGet(async () => store(null, dtype), segmenter, image, 'encoder'));
    }
    const diskHitMs = percentile(hits, 50);
    const encodeMs = percentile(encodes, 50);
    return {
      diskHitMs: round(diskHitMs, 3),
      diskHitP95Ms: round(percentile(hits, 95), 3),
      encodeMs: round(encodeMs),
      ratio: round(diskHitMs / encodeMs, 4),
      entryBytes: bytes,
    };
  } finally {
    await rm(diskRoot, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: 'cache',
  description: 'embedding from the disk cache vs from the encoder, float16 and float32 entries',
  async run(args) {
    const reps = flagValue(args, '--reps', 20);
    const encodeReps = flagValue(args, '--encode-reps', 5);
    configureSharp(defaultConfig());
    const { segmenter, label } = await benchSegmenter(args, 'encoderA2Heavy', 'decoderSingle');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-cache-'));
    try {
      const scene = objectsScene(1500, 1000);
      const file = path.join(dir, 'scene.jpg');
      await sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
        .jpeg({ quality: 92 })
        .toFile(file);
      const image = await segmenterImageFromFile(file);
      await segmenter.encode(image); // ONNX Runtime's first-run warm-up
      const rows: Record<string, Record<string, number>> = {};
      for (const dtype of ['float16', 'float32'] as const) {
        rows[dtype] = await measure(segmenter, image, dtype, reps, encodeReps);
        log(`${label} ${dtype}: ${JSON.stringify(rows[dtype])}`);
      }
      const main = rows.float16!;
      return {
        model: label,
        reps,
        encodeReps,
        diskHitMs: main.diskHitMs,
        encodeMs: main.encodeMs,
        ratio: main.ratio,
        target: TARGET_RATIO,
        met: main.ratio! <= TARGET_RATIO,
        float16: rows.float16,
        float32: rows.float32,
      };
    } finally {
      await segmenter.release();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
