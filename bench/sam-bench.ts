/**
 * Support for the SAM benchmarks (predict, embed): the model pair to measure (the generated test
 * models, or `--model NAME|DIR|FILE`), generated pictures written as JPEG files and read back
 * through the dataset module as the application reads them, raw ONNX Runtime sessions opened
 * with the options the segmenter's own sessions get, and interleaved timing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import sharp from 'sharp';
import { defaultConfig } from '../src/config/index.js';
import { configureSharp } from '../src/dataset/decode-settings.js';
import { segmenterImageFromFile } from '../src/model/default/testdata/segmenter-image.js';
import { resolveModel, resolveModelsDir, type ResolvedModel } from '../src/model/registry/index.js';
import {
  loadOrt,
  sessionOptions,
  sessionSettingsFrom,
  type SessionSettings,
} from '../src/model/sam/providers.js';
import type { SegmenterImage } from '../src/model/segmenter.js';
import { objectsScene, type ObjectsScene } from '../tools/test-models/test-support.js';
import { nowMs, percentile } from './lib.js';

/** `--name VALUE` from the arguments, or undefined when absent. */
export function stringFlag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new Error(`${name} expects a value, got ${value === undefined ? 'nothing' : value}`);
  }
  return value;
}

/** The pair `--model` names, looked up as the CLI does (names in the configured models folder). */
export function resolveBenchModel(spec: string): Promise<ResolvedModel> {
  const config = defaultConfig();
  return resolveModel(spec, { modelsDir: resolveModelsDir(config.get('models.dir')) });
}

/** A generated picture on disk, decoded on demand by the dataset module (LazyImage). */
export interface ScenePicture {
  scene: ObjectsScene;
  file: string;
  image: SegmenterImage;
}

/**
 * Temporary folder of generated JPEG pictures (quality 92, like a camera's), with the process's
 * sharp settings set as the image service sets them. `dispose()` deletes the folder.
 */
export async function scenePictures(
  sizes: { width: number; height: number }[],
): Promise<{ pictures: ScenePicture[]; dispose: () => Promise<void> }> {
  configureSharp(defaultConfig());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sam-bench-'));
  const pictures: ScenePicture[] = [];
  try {
    for (const [i, { width, height }] of sizes.entries()) {
      const scene = objectsScene(width, height);
      const file = path.join(dir, `scene-${i}-${width}x${height}.jpg`);
      await sharp(scene.rgb, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 92 })
        .toFile(file);
      // The scene's RGB and masks are large and not needed once the file is written.
      scene.rgb = new Uint8Array(0);
      scene.masks = {};
      pictures.push({ scene, file, image: await segmenterImageFromFile(file) });
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { pictures, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A plain ONNX Runtime session of `file` with the options SessionFactory gives the segmenter's
 * CPU sessions (the configured thread counts and spinning, with `overrides` as the segmenter
 * gets them), so that both sides run the same kernels the same way.
 */
export async function rawSession(
  file: string,
  overrides: Partial<SessionSettings> = {},
): Promise<Ort.InferenceSession> {
  const ort = await loadOrt();
  const settings = { ...sessionSettingsFrom(defaultConfig()), ...overrides };
  return ort.InferenceSession.create(file, sessionOptions(settings, 'cpu'));
}

/** One side's samples from interleaved(): milliseconds and minor page faults per run. */
export interface SideTimes {
  ms: number[];
  pageFaults: number[];
}

/**
 * `a` and `b` over `reps` rounds after `warmup` untimed rounds, the two taking turns and swapping
 * which goes first every round, so drift, a busy neighbour or one side's threads still spinning
 * after its run weigh on both alike. Both get the round number (from 0, warm-up rounds
 * included).
 *
 * No collection is forced between runs: after one the allocator has handed freed memory back to
 * the system, so the next run that allocates pays page faults (tens of microseconds each in this
 * VM; a full GC before each click made SamSegmenter's upsampling ~5x slower while it sped up the
 * raw run, whose output buffers it freed). Both sides share one heap in its steady state, as in
 * the application; the page faults each run took are recorded to show it.
 */
export async function interleaved(
  reps: number,
  warmup: number,
  a: (round: number) => Promise<unknown>,
  b: (round: number) => Promise<unknown>,
): Promise<{ a: SideTimes; b: SideTimes }> {
  const times = { a: { ms: [], pageFaults: [] }, b: { ms: [], pageFaults: [] } } as {
    a: SideTimes;
    b: SideTimes;
  };
  const timed = async (side: 'a' | 'b', round: number): Promise<void> => {
    const faults = process.resourceUsage().minorPageFault;
    const start = nowMs();
    await (side === 'a' ? a(round) : b(round));
    const ms = nowMs() - start;
    if (round < warmup) return;
    times[side].ms.push(ms);
    times[side].pageFaults.push(process.resourceUsage().minorPageFault - faults);
  };
  for (let round = 0; round < warmup + reps; round++) {
    const order: ('a' | 'b')[] = round % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) await timed(side, round);
  }
  return times;
}

export function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

/** How busy the machine was: timings on a shared 2-core box mean little without it. */
export function machineLoad(): { cpus: number; loadAverage1m: number } {
  return {
    cpus: os.availableParallelism(),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

/**
 * Median of a[i] / b[i] over the rounds of interleaved(): each pair ran back to back, so a
 * neighbour's load that comes and goes weighs on both halves of a pair alike.
 */
export function pairedRatio(a: number[], b: number[]): number {
  return percentile(
    a.map((value, i) => value / b[i]!),
    50,
  );
}
