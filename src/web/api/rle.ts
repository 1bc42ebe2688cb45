/**
 * The page's own COCO RLE decoder (masks arrive as compressed `counts` strings, column-major,
 * size [h, w]). Pure: no DOM, so the headless core and its tests use it too.
 */
import type { Rle } from './types';

const FIRST_CHAR = 48; // '0'
const LAST_CHAR = 48 + 63; // 'o'

export class RleDecodeError extends Error {
  override readonly name = 'RleDecodeError';
}

/**
 * Counts of a compressed COCO string (maskApi.c rleFrString): each value is written in 5-bit
 * groups, least significant first; bit 0x20 says another group follows, bit 0x10 of the last
 * group is the sign; from the fourth value on, each is the difference to the one two before.
 */
export function decodeCounts(s: string): Uint32Array {
  const counts = new Uint32Array(s.length);
  let m = 0;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    const start = p;
    while (more) {
      if (p >= s.length) {
        throw new RleDecodeError(`RLE counts end inside a value (character ${start} onwards)`);
      }
      const code = s.charCodeAt(p);
      if (code < FIRST_CHAR || code > LAST_CHAR) {
        throw new RleDecodeError(
          `RLE counts have character ${JSON.stringify(s[p])} at position ${p}; only '0' to 'o' may appear`,
        );
      }
      const c = code - FIRST_CHAR;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (m > 2) x += counts[m - 2]!;
    if (x < 0 || x > 0xffffffff) {
      throw new RleDecodeError(`RLE count ${m} is ${x}; counts must be 0 to 2^32-1`);
    }
    counts[m++] = x;
  }
  return counts.subarray(0, m);
}

const decoded = new WeakMap<Rle, Uint32Array>();

/** The checked counts of a mask, decoded once per Rle object (objects are replaced on change). */
export function rleCounts(rle: Rle): Uint32Array {
  let counts = decoded.get(rle);
  if (counts) return counts;
  counts = decodeCounts(rle.counts);
  const [h, w] = rle.size;
  let total = 0;
  for (const c of counts) total += c;
  if (total !== h * w) {
    throw new RleDecodeError(
      `RLE counts add up to ${total} pixels but size [${h}, ${w}] holds ${h * w}`,
    );
  }
  decoded.set(rle, counts);
  return counts;
}

/** Whether the mask covers the pixel that holds continuous point (x, y). */
export function rleContains(rle: Rle, x: number, y: number): boolean {
  const [h, w] = rle.size;
  const i = Math.floor(x);
  const j = Math.floor(y);
  if (i < 0 || j < 0 || i >= w || j >= h) return false;
  const target = i * h + j;
  const counts = rleCounts(rle);
  let pos = 0;
  for (let k = 0; k < counts.length; k++) {
    pos += counts[k]!;
    if (target < pos) return k % 2 === 1;
  }
  return false;
}

/** A pixel-aligned part of the mask to raster; `step` > 1 samples every step-th pixel. */
export interface RasterRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  step: number;
}

export interface RasterMask {
  /** Row-major, 1 inside, 0 outside; sample (i, j) is pixel (x + i*step, y + j*step). */
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Rasters a region of the mask row-major. Work is proportional to the runs and the pixels
 * written, not to the whole image, so a small object on a 50-megapixel photo stays cheap.
 */
export function rasterizeRle(rle: Rle, region?: RasterRegion): RasterMask {
  const [h, w] = rle.size;
  const r = region ?? { x: 0, y: 0, width: w, height: h, step: 1 };
  const step = Math.max(1, Math.floor(r.step));
  const outW = Math.ceil(r.width / step);
  const outH = Math.ceil(r.height / step);
  const data = new Uint8Array(outW * outH);
  const counts = rleCounts(rle);
  const xEnd = Math.min(w, r.x + r.width);
  const yEnd = Math.min(h, r.y + r.height);
  let pos = 0;
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k]!;
    if (k % 2 === 1 && count > 0) {
      if (!fillRun(pos, pos + count, h, r, step, outW, outH, xEnd, yEnd, data)) break;
    }
    pos += count;
  }
  return { data, width: outW, height: outH };
}

/** Writes one run of ones; false once the run lies right of the region (later runs do too). */
function fillRun(
  start: number,
  end: number,
  h: number,
  r: RasterRegion,
  step: number,
  outW: number,
  outH: number,
  xEnd: number,
  yEnd: number,
  data: Uint8Array,
): boolean {
  let col = Math.floor(start / h);
  if (col >= xEnd) return false;
  let pos = start;
  if (col < r.x) {
    pos = r.x * h;
    col = r.x;
    if (pos >= end) return true;
  }
  while (pos < end && col < xEnd) {
    const colStart = col * h;
    const rowFrom = pos - colStart;
    const rowTo = Math.min(h, end - colStart);
    const dx = col - r.x;
    if (dx % step === 0) {
      const i = dx / step;
      const y0 = Math.max(rowFrom, r.y);
      const y1 = Math.min(rowTo, yEnd);
      if (i < outW && y0 < y1) {
        let j = Math.ceil((y0 - r.y) / step);
        for (let y = r.y + j * step; y < y1 && j < outH; y += step, j++) data[j * outW + i] = 1;
      }
    }
    col++;
    pos = col * h;
  }
  return true;
}
