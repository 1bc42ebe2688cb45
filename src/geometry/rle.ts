/**
 * COCO RLE objects as they appear in annotation JSON: `{ size: [h, w], counts: number[] }`
 * (uncompressed, used by COCO crowd annotations) and `{ size: [h, w], counts: string }`
 * (compressed, what pycocotools.mask.encode returns). Everything here is byte-for-byte what
 * pycocotools produces and accepts.
 */
import type { Bitmap } from './bitmap.js';
import { RleError, describeValue } from './errors.js';
import { countsFromString, countsToString } from './rle-string.js';
import {
  checkCounts,
  checkRleSize,
  decodeRuns,
  encodeRuns,
  mergeRuns,
  runsArea,
  runsBbox,
  runsIou,
  type RleRuns,
} from './rle-runs.js';
import type { BboxXywh } from './types.js';

export interface UncompressedRle {
  size: [height: number, width: number];
  counts: number[];
}

export interface CompressedRle {
  size: [height: number, width: number];
  counts: string;
}

export type CocoRle = UncompressedRle | CompressedRle;

/**
 * Checks an RLE read from outside (JSON, a database row) and returns its runs. Errors name the
 * field under `field`: `annotations[3].segmentation.size[0]` for a bad height,
 * `annotations[3].segmentation.counts[7]` for a bad run.
 */
export function parseRle(value: unknown, field = 'segmentation'): RleRuns {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RleError(
      `${field} must be an object {size, counts}, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  const { size, counts } = value as { size?: unknown; counts?: unknown };
  if (!Array.isArray(size) || size.length !== 2) {
    throw new RleError(
      `${field}.size must be [height, width], got ${describeValue(size)}`,
      `${field}.size`,
      size,
    );
  }
  const [height, width] = size as [number, number];
  // The size first: a bad size must not surface as a counts error from the string decoder.
  checkRleSize(height, width, `${field}.size`);
  if (typeof counts === 'string') {
    const runs = countsFromString(counts, `${field}.counts`);
    checkCounts(height, width, runs, `${field}.counts`);
    return { height, width, counts: runs };
  }
  if (Array.isArray(counts)) {
    checkCounts(height, width, counts as number[], `${field}.counts`);
    return { height, width, counts: Uint32Array.from(counts as number[]) };
  }
  throw new RleError(
    `${field}.counts must be a string or an array of numbers, got ${describeValue(counts)}`,
    `${field}.counts`,
    counts,
  );
}

export function runsToCompressed(runs: RleRuns): CompressedRle {
  return { size: [runs.height, runs.width], counts: countsToString(runs.counts) };
}

export function runsToUncompressed(runs: RleRuns): UncompressedRle {
  return { size: [runs.height, runs.width], counts: Array.from(runs.counts) };
}

/** pycocotools.mask.encode: the compressed RLE of a mask. */
export function encodeMask(mask: Bitmap): CompressedRle {
  return runsToCompressed(encodeRuns(mask));
}

/** The uncompressed RLE (counts as numbers) of a mask, as COCO crowd annotations store it. */
export function encodeMaskUncompressed(mask: Bitmap): UncompressedRle {
  return runsToUncompressed(encodeRuns(mask));
}

/** pycocotools.mask.decode, after checking the RLE. */
export function decodeRle(rle: CocoRle, field?: string): Bitmap {
  return decodeRuns(parseRle(rle, field));
}

export function compressRle(rle: CocoRle, field?: string): CompressedRle {
  return runsToCompressed(parseRle(rle, field));
}

export function uncompressRle(rle: CocoRle, field?: string): UncompressedRle {
  return runsToUncompressed(parseRle(rle, field));
}

/** pycocotools.mask.area without decoding the mask. */
export function rleArea(rle: CocoRle, field?: string): number {
  return runsArea(parseRle(rle, field).counts);
}

/** pycocotools.mask.toBbox without decoding the mask: [x, y, w, h] of the pixel edges. */
export function rleBbox(rle: CocoRle, field?: string): BboxXywh {
  return runsBbox(parseRle(rle, field));
}

/** pycocotools.mask.merge: union (or with `intersect`, intersection) of same-size masks. */
export function rleMerge(rles: readonly CocoRle[], intersect = false): CompressedRle {
  return runsToCompressed(
    mergeRuns(
      rles.map((r, i) => parseRle(r, `masks[${i}]`)),
      intersect,
    ),
  );
}

/** pycocotools.mask.iou for one pair; `crowd` divides by the detection's area instead. */
export function rleIou(dt: CocoRle, gt: CocoRle, crowd = false): number {
  return runsIou(parseRle(dt, 'detection'), parseRle(gt, 'groundTruth'), crowd);
}
