/**
 * `npm run bench -- quality [--scenes a,b] [--set option=value ...]`: mask quality and click
 * latency of the weight-free default segmenter, by the standard interactive-segmentation
 * protocol: clicks are simulated (each at the centre of the largest error region, positive or
 * negative as the error says; src/model/default/testdata/clicker.ts) until IoU reaches 0.85 and
 * 0.90, at most 20. NoC@85 / NoC@90 count those clicks (20 when never reached).
 *
 * Pictures: the generated scenes with known masks (src/model/default/testdata/scenes.ts) and
 * ../shared/samples/horse.png (reference: red < 128), each decoded by the dataset module from a
 * PNG file and segmented at 1024 px on the longest side, as the application does. Also reported:
 * IoU after one click, IoU from a box prompt around the object, and p50 / p95 latency of predict()
 * per click (wall clock and CPU time; every picture gets at least 5 clicks for latency samples,
 * clicks past 0.90 do not change the NoC figures). The top-level nocAt85, nocAt90 and iouAt1 are means over all pictures, horse included.
 * `--set` overrides a segmentation option (see SegmentOptions) for experiments.
 * Targets: NoC@85 <= 6, p50 <= 250 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bitmapBbox, bitmapIou, type Bitmap } from '../src/geometry/index.js';
import { DefaultSegmenter } from '../src/model/default/default-segmenter.js';
import { loadOpenCv, type CV } from '../src/model/default/opencv.js';
import { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions } from '../src/model/default/segment.js';
import { nextClick } from '../src/model/default/testdata/clicker.js';
import { HORSE_FILE, horseReferenceMask } from '../src/model/default/testdata/horse.js';
import { SCENE_NAMES, generateScene, writeScenePng } from '../src/model/default/testdata/scenes.js';
import { segmenterImageFromFile } from '../src/model/default/testdata/segmenter-image.js';
import type { PointPrompt } from '../src/model/segmenter.js';
import { type Benchmark, log, nowMs, percentile, round } from './lib.js';

const MAX_CLICKS = 20;
/** Clicks made on every picture (past 0.90 if need be) so that latency has enough samples. */
const LATENCY_CLICKS = 5;

/** Wall-clock and CPU milliseconds per predict() (predict is single-threaded: CPU time is what it costs without contention). */
interface Latencies {
  wall: number[];
  cpu: number[];
}

interface SceneResult {
  name: string;
  nocAt85: number;
  nocAt90: number;
  iouAt1: number;
  boxIou: number;
  clicks: number;
  finalIou: number;
}

function listFlag(args: string[], name: string): string[] | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : (args[at + 1] ?? '').split(',').filter(Boolean);
}

/** `--set name=value` (a number, or numbers joined by '/' for a list option). */
function optionOverrides(args: string[]): Partial<SegmentOptions> {
  const out: Record<string, number | number[]> = {};
  args.forEach((arg, i) => {
    if (arg !== '--set') return;
    const [key, value = ''] = (args[i + 1] ?? '').split('=');
    const numbers = value.split('/').map(Number);
    if (!key || !(key in DEFAULT_SEGMENT_OPTIONS) || !numbers.every(Number.isFinite)) {
      throw new Error(`--set expects option=number with a SegmentOptions name, got ${args[i + 1]}`);
    }
    out[key] = Array.isArray(DEFAULT_SEGMENT_OPTIONS[key as keyof SegmentOptions])
      ? numbers
      : numbers[0]!;
  });
  return out as Partial<SegmentOptions>;
}

async function evaluate(
  cv: CV,
  segmenter: DefaultSegmenter,
  name: string,
  file: string,
  truth: Bitmap,
  latencies: Latencies,
): Promise<SceneResult> {
  const embedding = await segmenter.encode(await segmenterImageFromFile(file));
  const points: PointPrompt[] = [];
  let prediction: Bitmap | null = null;
  const result: SceneResult = {
    name,
    nocAt85: MAX_CLICKS,
    nocAt90: MAX_CLICKS,
    iouAt1: 0,
    boxIou: 0,
    clicks: 0,
    finalIou: 0,
  };
  for (let k = 1; k <= MAX_CLICKS; k++) {
    const click = nextClick(cv, truth, prediction);
    if (!click) break;
    points.push(click);
    const start = nowMs();
    const cpuStart = process.cpuUsage();
    const candidates = await segmenter.predict(embedding, { points: [...points] });
    latencies.wall.push(nowMs() - start);
    const cpu = process.cpuUsage(cpuStart);
    latencies.cpu.push((cpu.user + cpu.system) / 1000);
    prediction = candidates[0]?.mask ?? null;
    const iou = prediction ? bitmapIou(prediction, truth) : 0;
    if (k === 1) result.iouAt1 = iou;
    if (iou >= 0.85 && result.nocAt85 === MAX_CLICKS) result.nocAt85 = k;
    if (iou >= 0.9 && result.nocAt90 === MAX_CLICKS) result.nocAt90 = k;
    if (result.nocAt90 === MAX_CLICKS || result.nocAt90 === k) {
      result.clicks = k;
      result.finalIou = iou;
    }
    // The protocol stops at 0.90; a few more clicks only add latency samples.
    if (iou >= 0.9 && k >= LATENCY_CLICKS) break;
  }
  // A box a user would drag: the object's bounding box with a few pixels to spare.
  const [bx, by, bw, bh] = bitmapBbox(truth);
  const pad = Math.round(0.02 * Math.max(truth.width, truth.height));
  const boxed = await segmenter.predict(embedding, {
    points: [],
    box: { x0: bx - pad, y0: by - pad, x1: bx + bw + pad, y1: by + bh + pad },
  });
  result.boxIou = boxed[0] ? bitmapIou(boxed[0].mask, truth) : 0;
  log(
    `${name.padEnd(22)} iou@1 ${result.iouAt1.toFixed(3)}  NoC@85 ${String(result.nocAt85).padStart(2)}  NoC@90 ${String(result.nocAt90).padStart(2)}  box ${result.boxIou.toFixed(3)}  (${result.clicks} clicks, final IoU ${result.finalIou.toFixed(3)})`,
  );
  return result;
}

function summary(r: SceneResult): Record<string, number | string> {
  return {
    name: r.name,
    nocAt85: r.nocAt85,
    nocAt90: r.nocAt90,
    iouAt1: round(r.iouAt1, 3),
    boxIou: round(r.boxIou, 3),
  };
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

const bench: Benchmark = {
  name: 'quality',
  description: 'NoC@85/90, IoU@1 and click latency of the default segmenter',
  async run(args) {
    const { cv } = await loadOpenCv();
    const segmenter = new DefaultSegmenter({ segment: optionOverrides(args) });
    const names = listFlag(args, '--scenes') ?? SCENE_NAMES;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-quality-'));
    const latencies: Latencies = { wall: [], cpu: [] };
    const scenes: SceneResult[] = [];
    try {
      for (const name of names) {
        const scene = await generateScene(name);
        const file = await writeScenePng(scene, dir);
        scenes.push(await evaluate(cv, segmenter, name, file, scene.mask, latencies));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const horse = await evaluate(
      cv,
      segmenter,
      'horse',
      HORSE_FILE,
      await horseReferenceMask(),
      latencies,
    );
    const all = [...scenes, horse];
    const figures = {
      scenes: scenes.map(summary),
      nocAt85: round(mean(all.map((r) => r.nocAt85))),
      nocAt90: round(mean(all.map((r) => r.nocAt90))),
      iouAt1: round(mean(all.map((r) => r.iouAt1)), 3),
      boxIou: round(mean(all.map((r) => r.boxIou)), 3),
      horse: summary(horse),
      p50Ms: round(percentile(latencies.wall, 50), 1),
      p95Ms: round(percentile(latencies.wall, 95), 1),
      p50CpuMs: round(percentile(latencies.cpu, 50), 1),
      p95CpuMs: round(percentile(latencies.cpu, 95), 1),
      clicksTimed: latencies.wall.length,
      loadAverage: round(os.loadavg()[0]!, 2),
    };
    log(
      `all: NoC@85 ${figures.nocAt85} (target <= 6), NoC@90 ${figures.nocAt90}, iou@1 ${figures.iouAt1}, p50 ${figures.p50Ms} ms (target <= 250), p95 ${figures.p95Ms} ms; CPU p50 ${figures.p50CpuMs} ms, p95 ${figures.p95CpuMs} ms; load average ${figures.loadAverage}`,
    );
    return figures;
  },
};

export default bench;
