/**
 * `npm run bench -- rle [--reps N]`: COCO RLE encode and decode of a 6000x4000 mask (ragged
 * blobs with holes and specks) against copying the same bytes (Uint8Array.prototype.slice),
 * medians over N repetitions (9 by default). Also times the compressed-string step and, as a
 * check of the byte-wise path, the same mask one column wider (width not a multiple of 4).
 * Target: encode well under a second; the ratios show how far from a plain copy it is.
 */
import { bitmapEquals, type Bitmap } from '../src/geometry/bitmap.js';
import { decodeRuns, encodeRuns, type RleRuns } from '../src/geometry/rle-runs.js';
import { countsToString } from '../src/geometry/rle-string.js';
import { randomBlobMask } from '../src/geometry/testdata/shapes.js';
import { type Benchmark, log, nowMs, percentile, round } from './lib.js';

const WIDTH = 6000;
const HEIGHT = 4000;

function flagValue(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} expects a positive whole number, got ${String(args[at + 1])}`);
  }
  return value;
}

function medianMs(reps: number, fn: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    globalThis.gc?.();
    const start = nowMs();
    fn();
    samples.push(nowMs() - start);
  }
  return percentile(samples, 50);
}

function checkRoundTrip(mask: Bitmap, runs: RleRuns): void {
  if (!bitmapEquals(decodeRuns(runs), mask)) throw new Error('decode(encode(mask)) != mask');
}

const bench: Benchmark = {
  name: 'rle',
  description: 'COCO RLE encode/decode of a 6000x4000 mask vs copying its bytes',
  async run(args) {
    const reps = flagValue(args, '--reps', 9);
    const mask = randomBlobMask(WIDTH, HEIGHT, 42, { parts: 4, holes: 3, specks: 12 });
    const runs = encodeRuns(mask);
    checkRoundTrip(mask, runs);
    const area = runs.counts.reduce((sum, c, i) => (i % 2 ? sum + c : sum), 0);
    log(
      `mask ${WIDTH}x${HEIGHT}, ${round((100 * area) / (WIDTH * HEIGHT), 1)}% set, ${runs.counts.length} runs`,
    );

    // Warm up the JIT on every path before timing.
    for (let i = 0; i < 2; i++) decodeRuns(encodeRuns(mask));
    const copyMs = medianMs(reps, () => mask.data.slice());
    const encodeMs = medianMs(reps, () => encodeRuns(mask));
    const decodeMs = medianMs(reps, () => decodeRuns(runs));
    const compressedStringMs = medianMs(reps, () => countsToString(runs.counts));
    log(`copy ${round(copyMs)} ms, encode ${round(encodeMs)} ms, decode ${round(decodeMs)} ms`);

    const odd = randomBlobMask(WIDTH + 1, HEIGHT, 42, { parts: 4, holes: 3, specks: 12 });
    const oddRuns = encodeRuns(odd);
    checkRoundTrip(odd, oddRuns);
    decodeRuns(encodeRuns(odd));
    const oddWidthEncodeMs = medianMs(reps, () => encodeRuns(odd));
    const oddWidthDecodeMs = medianMs(reps, () => decodeRuns(oddRuns));
    log(`odd width: encode ${round(oddWidthEncodeMs)} ms, decode ${round(oddWidthDecodeMs)} ms`);

    return {
      width: WIDTH,
      height: HEIGHT,
      reps,
      encodeMs: round(encodeMs),
      decodeMs: round(decodeMs),
      copyMs: round(copyMs),
      encodeToCopyRatio: round(encodeMs / copyMs),
      decodeToCopyRatio: round(decodeMs / copyMs),
      compressedStringMs: round(compressedStringMs),
      countsLength: runs.counts.length,
      compressedLength: countsToString(runs.counts).length,
      oddWidthEncodeMs: round(oddWidthEncodeMs),
      oddWidthDecodeMs: round(oddWidthDecodeMs),
    };
  },
};

export default bench;
