/**
 * `npm run bench -- rle [--reps N]`: COCO RLE encode and decode of a 6000x4000 mask (ragged
 * blobs with holes and specks), medians over N repetitions (9 by default), against two baselines
 * measured in the same run: copying the same bytes (Uint8Array.prototype.slice, the floor) and
 * the naive approach (pycocotools' rleEncode/rleDecode loops walking the row-major bitmap pixel
 * by pixel in column order). Also times the compressed-string step, union and IoU of two such
 * masks on their runs, and the same mask one column wider (width not a multiple of 4, the
 * padded-row path). Target: encode well under a second.
 */
import { bitmapEquals, createBitmap, type Bitmap } from '../src/geometry/bitmap.js';
import {
  decodeRuns,
  encodeRuns,
  mergeRuns,
  runsIou,
  type RleRuns,
} from '../src/geometry/rle-runs.js';
import { countsToString } from '../src/geometry/rle-string.js';
import { randomBlobMask } from '../src/geometry/testdata/shapes.js';
import { type Benchmark, flagValue, log, nowMs, percentile, round } from './lib.js';

const WIDTH = 6000;
const HEIGHT = 4000;
const BLOBS = { parts: 4, holes: 3, specks: 12 };

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

/** The baseline encoder: maskApi.c rleEncode's loop, reading the bitmap column by column. */
function naiveEncode(mask: Bitmap): RleRuns {
  const { width: w, height: h, data } = mask;
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = data[y * w + x] !== 0 ? 1 : 0;
      if (v !== previous) {
        counts.push(run);
        run = 0;
        previous = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { height: h, width: w, counts: Uint32Array.from(counts) };
}

/** The baseline decoder: maskApi.c rleDecode's loop, writing pixel by pixel in column order. */
function naiveDecode(runs: RleRuns): Bitmap {
  const { width: w, height: h, counts } = runs;
  const mask = createBitmap(w, h);
  const data = mask.data;
  let x = 0;
  let y = 0;
  let value = 0;
  for (let k = 0; k < counts.length; k++) {
    for (let c = counts[k]!; c > 0; c--) {
      data[y * w + x] = value;
      if (++y === h) {
        y = 0;
        x++;
      }
    }
    value ^= 1;
  }
  return mask;
}

function sameCounts(a: RleRuns, b: RleRuns): boolean {
  return a.counts.length === b.counts.length && a.counts.every((c, i) => c === b.counts[i]);
}

/** Both codecs must agree with each other and round-trip the mask, or the timings mean nothing. */
function checkCodecs(mask: Bitmap, runs: RleRuns): void {
  if (!sameCounts(naiveEncode(mask), runs)) throw new Error('encodeRuns != naive encoder');
  if (!bitmapEquals(decodeRuns(runs), mask)) throw new Error('decode(encode(mask)) != mask');
  if (!bitmapEquals(naiveDecode(runs), mask)) throw new Error('naive decode != mask');
}

const bench: Benchmark = {
  name: 'rle',
  description: 'COCO RLE encode/decode of a 6000x4000 mask vs a byte copy and the naive loops',
  async run(args) {
    const reps = flagValue(args, '--reps', 9);
    const mask = randomBlobMask(WIDTH, HEIGHT, 42, BLOBS);
    const runs = encodeRuns(mask);
    checkCodecs(mask, runs);
    const area = runs.counts.reduce((sum, c, i) => (i % 2 ? sum + c : sum), 0);
    log(
      `mask ${WIDTH}x${HEIGHT}, ${round((100 * area) / (WIDTH * HEIGHT), 1)}% set, ${runs.counts.length} runs`,
    );

    // Warm up the JIT on every path before timing.
    for (let i = 0; i < 2; i++) {
      decodeRuns(encodeRuns(mask));
      naiveDecode(naiveEncode(mask));
    }
    const copyMs = medianMs(reps, () => mask.data.slice());
    const encodeMs = medianMs(reps, () => encodeRuns(mask));
    const decodeMs = medianMs(reps, () => decodeRuns(runs));
    const naiveEncodeMs = medianMs(reps, () => naiveEncode(mask));
    const naiveDecodeMs = medianMs(reps, () => naiveDecode(runs));
    const compressedStringMs = medianMs(reps, () => countsToString(runs.counts));
    log(`copy ${round(copyMs)} ms, encode ${round(encodeMs)} ms, decode ${round(decodeMs)} ms`);
    log(`naive: encode ${round(naiveEncodeMs)} ms, decode ${round(naiveDecodeMs)} ms`);

    const other = encodeRuns(randomBlobMask(WIDTH, HEIGHT, 43, BLOBS));
    const iou = runsIou(runs, other);
    for (let i = 0; i < 10; i++) {
      mergeRuns([runs, other], false);
      runsIou(runs, other);
    }
    const mergeMs = medianMs(reps, () => mergeRuns([runs, other], false));
    const iouMs = medianMs(reps, () => runsIou(runs, other));
    log(`union ${round(mergeMs)} ms, IoU ${round(iouMs)} ms (IoU = ${round(iou, 4)})`);

    const odd = randomBlobMask(WIDTH + 1, HEIGHT, 42, BLOBS);
    const oddRuns = encodeRuns(odd);
    checkCodecs(odd, oddRuns);
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
      naiveEncodeMs: round(naiveEncodeMs),
      naiveDecodeMs: round(naiveDecodeMs),
      encodeSpeedup: round(naiveEncodeMs / encodeMs),
      decodeSpeedup: round(naiveDecodeMs / decodeMs),
      encodeToCopyRatio: round(encodeMs / copyMs),
      decodeToCopyRatio: round(decodeMs / copyMs),
      compressedStringMs: round(compressedStringMs),
      countsLength: runs.counts.length,
      compressedLength: countsToString(runs.counts).length,
      mergeMs: round(mergeMs, 3),
      iouMs: round(iouMs, 3),
      oddWidthEncodeMs: round(oddWidthEncodeMs),
      oddWidthDecodeMs: round(oddWidthDecodeMs),
    };
  },
};

export default bench;
