/**
 * `npm run bench -- switch [--images N] [--dwell-ms MS] [--depth D] [--model NAME|DIR|FILE]`:
 * a user walking through a dataset. Each step opens the next image, clicks once at a fixed
 * point on its object (SegmentationEngine.open + predict, as the server does for the page) and
 * looks at the answer for the dwell time before moving on. Measured: first-mask latency per
 * image (open to candidates), with prefetch (prefetch.depth D, 3 by default) and without
 * (depth 0), each with fresh caches (a new engine, image service and embeddings folder) over the
 * same pictures and the same loaded model.
 *
 * Pictures: N (20) generated objects scenes of about 1200x900, as JPEG files, each a different
 * size so that every one is a picture of its own. Model: the heavy generated encoder (about a
 * MobileSAM encoder's cost) with the C = 1 decoder, or the pair --model names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/index.js';
import { ImageIndex, ImageService } from '../src/dataset/index.js';
import { SegmentationEngine } from '../src/model/embedding/index.js';
import { segmenterImageFromFile } from '../src/model/segmenter-image.js';
import type { Prompt, Segmenter } from '../src/model/segmenter.js';
import { objectsScene } from '../tools/test-models/test-support.js';
import { benchSegmenter } from './segmenter-choice.js';
import { type Benchmark, collect, flagValue, log, nowMs, percentile, round } from './lib.js';

const HOST_BUDGET = 2 * 1024 ** 3;

interface Walk {
  latenciesMs: number[];
  encoderRuns: number;
  prefetched: number;
}

/** N pictures in `dir`, and the click on each one's blue disc, by file name. */
async function writePictures(dir: string, count: number): Promise<Map<string, Prompt>> {
  const clicks = new Map<string, Prompt>();
  for (let i = 0; i < count; i++) {
    const scene = objectsScene(1200 + 8 * i, 900);
    const name = `walk-${String(i).padStart(2, '0')}.jpg`;
    await sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toFile(path.join(dir, name));
    const [x, y] = scene.inside.blue;
    clicks.set(name, { points: [{ x, y, label: 1 }] });
  }
  return clicks;
}

async function walk(
  segmenter: Segmenter,
  dir: string,
  clicks: Map<string, Prompt>,
  depth: number,
  dwellMs: number,
): Promise<Walk> {
  const config = defaultConfig().with({ 'prefetch.depth': depth });
  const index = ImageIndex.open(dir);
  const images = new ImageService(index, config, { hostBudgetBytes: HOST_BUDGET });
  const embeddingsDir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-switch-cache-'));
  const engine = new SegmentationEngine({ segmenter, images, config, embeddingsDir });
  const latenciesMs: number[] = [];
  try {
    for (const entry of index.entries()) {
      const prompt = clicks.get(entry.relPath)!;
      const started = nowMs();
      await engine.open(entry.id);
      const { candidates } = await engine.predict(entry.id, prompt);
      latenciesMs.push(nowMs() - started);
      if (candidates.length === 0) throw new Error(`no mask for the click on ${entry.relPath}`);
      await sleep(dwellMs);
    }
    await engine.whenIdle();
    const stats = engine.stats();
    return {
      latenciesMs,
      encoderRuns: stats.embeddings.encoder.runs,
      prefetched: stats.prefetch.completed,
    };
  } finally {
    await engine.close();
    await rm(embeddingsDir, { recursive: true, force: true });
  }
}

function summary(w: Walk): Record<string, number> {
  return {
    p50Ms: round(percentile(w.latenciesMs, 50)),
    p95Ms: round(percentile(w.latenciesMs, 95)),
    meanMs: round(w.latenciesMs.reduce((a, b) => a + b, 0) / w.latenciesMs.length),
    encoderRuns: w.encoderRuns,
    prefetched: w.prefetched,
  };
}

const bench: Benchmark = {
  name: 'switch',
  description: 'first-mask latency while walking through images, with prefetch vs without',
  async run(args) {
    const count = flagValue(args, '--images', 20);
    const dwellMs = flagValue(args, '--dwell-ms', 300);
    const depth = flagValue(args, '--depth', 3);
    const { segmenter, label } = await benchSegmenter(args, 'encoderA2Heavy', 'decoderSingle');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-switch-'));
    try {
      const clicks = await writePictures(dir, count);
      // The first run of a session pays for ONNX Runtime's warm-up: not part of either walk.
      const first = path.join(dir, [...clicks.keys()][0]!);
      const warm = nowMs();
      await segmenter.encode(await segmenterImageFromFile(first));
      const warmupMs = nowMs() - warm;
      const timed = nowMs();
      await segmenter.encode(await segmenterImageFromFile(first));
      const encodeMs = nowMs() - timed;
      log(`${label}: first encode ${round(warmupMs)} ms, then ${round(encodeMs)} ms`);

      collect();
      const withPrefetch = summary(await walk(segmenter, dir, clicks, depth, dwellMs));
      log(`with prefetch (depth ${depth}): ${JSON.stringify(withPrefetch)}`);
      collect();
      const without = summary(await walk(segmenter, dir, clicks, 0, dwellMs));
      log(`without prefetch: ${JSON.stringify(without)}`);
      return {
        model: label,
        images: count,
        dwellMs,
        prefetchDepth: depth,
        encodeMs: round(encodeMs),
        withPrefetchP50Ms: withPrefetch.p50Ms,
        withoutPrefetchP50Ms: without.p50Ms,
        ratio: round(withPrefetch.p50Ms! / without.p50Ms!, 3),
        withPrefetch,
        withoutPrefetch: without,
      };
    } finally {
      await segmenter.release();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
