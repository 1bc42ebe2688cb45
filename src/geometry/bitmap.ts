import { GeometryError, describeValue } from './errors.js';
import { checkSize } from './size.js';
import type { BboxXywh } from './types.js';

/**
 * A binary mask: `data[y * width + x]` is 1 inside, 0 outside (row-major). Functions that read
 * a bitmap treat any non-zero byte as inside; functions that make one write only 0 and 1.
 */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function createBitmap(width: number, height: number): Bitmap {
  checkSize({ width, height }, 'bitmap', 0);
  return { width, height, data: new Uint8Array(width * height) };
}

/** Wraps existing bytes (not copied) after checking that they fit the size. */
export function bitmapFrom(width: number, height: number, data: Uint8Array): Bitmap {
  checkSize({ width, height }, 'bitmap', 0);
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new GeometryError(
      `bitmap data must be a Uint8Array of ${width}x${height} = ${width * height} bytes, got ${
        data instanceof Uint8Array ? `${data.length} bytes` : describeValue(data)
      }`,
      'data',
      data instanceof Uint8Array ? data.length : data,
    );
  }
  return { width, height, data };
}

/** Mask of the values above `threshold` (SAM logits use 0). */
export function thresholdToBitmap(
  values: ArrayLike<number>,
  width: number,
  height: number,
  threshold = 0,
): Bitmap {
  const out = createBitmap(width, height);
  if (values.length !== out.data.length) {
    throw new GeometryError(
      `expected ${width}x${height} = ${out.data.length} values, got ${values.length}`,
      'values',
      values.length,
    );
  }
  const data = out.data;
  for (let i = 0; i < data.length; i++) data[i] = values[i]! > threshold ? 1 : 0;
  return out;
}

export function bitmapArea(mask: Bitmap): number {
  const data = mask.data;
  let area = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) area++;
  return area;
}

/** Inclusive pixel bounds of the set pixels, or null for an empty mask. */
export function bitmapBounds(
  mask: Bitmap,
): { minX: number; minY: number; maxX: number; maxY: number } | null {
  const { width, height, data } = mask;
  let minX = width;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x] !== 0) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    if (minY < 0) minY = y;
    maxY = y;
    if (first < minX) minX = first;
    for (let x = width - 1; x > maxX; x--) {
      if (data[row + x] !== 0) {
        maxX = x;
        break;
      }
    }
  }
  return minY < 0 ? null : { minX, minY, maxX, maxY };
}

/**
 * COCO bbox [x, y, w, h] of the pixel-edge rectangle around the set pixels: a lone pixel at
 * (3, 4) gives [3, 4, 1, 1]; an empty mask gives [0, 0, 0, 0] (as pycocotools does).
 */
export function bitmapBbox(mask: Bitmap): BboxXywh {
  const b = bitmapBounds(mask);
  return b ? [b.minX, b.minY, b.maxX - b.minX + 1, b.maxY - b.minY + 1] : [0, 0, 0, 0];
}

function checkSameSize(a: Bitmap, b: Bitmap): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new GeometryError(
      `masks differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`,
      'size',
      [b.width, b.height],
    );
  }
}

function combine(a: Bitmap, b: Bitmap, keep: (inA: boolean, inB: boolean) => boolean): Bitmap {
  checkSameSize(a, b);
  const out = createBitmap(a.width, a.height);
  const da = a.data;
  const db = b.data;
  const table = [keep(false, false), keep(false, true), keep(true, false), keep(true, true)].map(
    (v) => (v ? 1 : 0),
  );
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = table[(da[i] !== 0 ? 2 : 0) + (db[i] !== 0 ? 1 : 0)]!;
  return out;
}

export function bitmapUnion(a: Bitmap, b: Bitmap): Bitmap {
  return combine(a, b, (x, y) => x || y);
}

export function bitmapIntersection(a: Bitmap, b: Bitmap): Bitmap {
  return combine(a, b, (x, y) => x && y);
}

/** Pixels in `a` and not in `b`. */
export function bitmapDifference(a: Bitmap, b: Bitmap): Bitmap {
  return combine(a, b, (x, y) => x && !y);
}

/** Intersection over union; two empty masks give 0. */
export function bitmapIou(a: Bitmap, b: Bitmap): number {
  checkSameSize(a, b);
  const da = a.data;
  const db = b.data;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < da.length; i++) {
    const inA = da[i] !== 0;
    const inB = db[i] !== 0;
    if (inA || inB) {
      union++;
      if (inA && inB) inter++;
    }
  }
  return union === 0 ? 0 : inter / union;
}

/** True when both masks have the same size and the same set pixels. */
export function bitmapEquals(a: Bitmap, b: Bitmap): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) if ((da[i] !== 0) !== (db[i] !== 0)) return false;
  return true;
}

/** The part of `mask` inside the rectangle; areas outside the mask read as 0. */
export function cropBitmap(
  mask: Bitmap,
  x: number,
  y: number,
  width: number,
  height: number,
): Bitmap {
  checkIntegers({ x, y }, 'crop');
  const out = createBitmap(width, height);
  const x0 = Math.max(0, x);
  const x1 = Math.min(mask.width, x + width);
  if (x1 <= x0) return out;
  for (let row = Math.max(0, y); row < Math.min(mask.height, y + height); row++) {
    const src = row * mask.width;
    out.data.set(mask.data.subarray(src + x0, src + x1), (row - y) * width + (x0 - x));
  }
  return out;
}

/** Writes `source` into `target` with its top-left corner at (x, y), clipped to the target. */
export function pasteBitmap(target: Bitmap, source: Bitmap, x: number, y: number): void {
  checkIntegers({ x, y }, 'paste');
  const x0 = Math.max(0, x);
  const x1 = Math.min(target.width, x + source.width);
  if (x1 <= x0) return;
  for (let row = Math.max(0, y); row < Math.min(target.height, y + source.height); row++) {
    const src = (row - y) * source.width + (x0 - x);
    target.data.set(source.data.subarray(src, src + (x1 - x0)), row * target.width + x0);
  }
}

function checkIntegers(values: Record<string, number>, field: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isSafeInteger(value)) {
      throw new GeometryError(
        `${field} ${name} must be a whole number, got ${describeValue(value)}`,
        `${field}.${name}`,
        value,
      );
    }
  }
}
