/**
 * COCO run-length encoding on typed arrays, ported from pycocotools' maskApi.c (rleEncode,
 * rleDecode, rleArea, rleToBbox, rleMerge, rleIou). Pixels are taken in column-major (Fortran)
 * order and the runs alternate 0, 1, 0, ... starting with a (possibly empty) run of zeros.
 */
import { bitmapFrom, createBitmap, type Bitmap } from './bitmap.js';
import { RleError, describeValue } from './errors.js';
import type { BboxXywh } from './types.js';

/** Run lengths of one mask; the counts sum to height * width. */
export interface RleRuns {
  readonly height: number;
  readonly width: number;
  readonly counts: Uint32Array;
}

/** maskApi.c keeps counts in 32-bit unsigned integers; so do we. */
export const MAX_RLE_PIXELS = 0xffffffff;

/**
 * Throws RleError unless the size is valid and `counts` are whole non-negative run lengths
 * summing to h * w. Errors name `sizeField[0]` / `sizeField[1]` or `field[i]`.
 */
export function checkRuns(
  height: number,
  width: number,
  counts: ArrayLike<number>,
  field = 'counts',
  sizeField = 'size',
): void {
  checkRleSize(height, width, sizeField);
  checkCounts(height, width, counts, field);
}

/**
 * Throws RleError unless height and width (COCO's `size: [h, w]`) are whole numbers >= 0 whose
 * product fits a 32-bit count. Errors name `${field}[0]` (height) or `${field}[1]` (width).
 */
export function checkRleSize(height: number, width: number, field = 'size'): void {
  for (const [index, name, v] of [
    [0, 'height', height],
    [1, 'width', width],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RleError(
        `${field}[${index}] (${name}) must be a whole number >= 0, got ${describeValue(v)}`,
        `${field}[${index}]`,
        v,
      );
    }
  }
  if (height * width > MAX_RLE_PIXELS) {
    throw new RleError(
      `${field} [${height}, ${width}] has more pixels than COCO RLE can count (${MAX_RLE_PIXELS})`,
      field,
      [height, width],
    );
  }
}

/** The counts half of checkRuns, for a size already checked. */
export function checkCounts(
  height: number,
  width: number,
  counts: ArrayLike<number>,
  field = 'counts',
): void {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      throw new RleError(
        `${field}[${i}] must be a whole number >= 0, got ${describeValue(c)}`,
        `${field}[${i}]`,
        c,
      );
    }
    sum += c;
  }
  if (sum !== height * width) {
    throw new RleError(
      `${field} sum to ${sum} but size [${height}, ${width}] needs ${height * width}`,
      field,
      sum,
    );
  }
}

/**
 * Runs of a bitmap. Rather than walking the row-major bytes column by column (a cache miss per
 * pixel), it compares each row with the one above, four pixels at a time, records where a pixel
 * differs from the one above it (and where a column starts with another value than the previous
 * column ended), and sorts those transitions into column order with a counting sort.
 */
export function encodeRuns(mask: Bitmap): RleRuns {
  const { width: w, height: h, data } = mask;
  checkRleSize(h, w);
  const n = w * h;
  const transitions = new TransitionList(Math.max(256, 2 * (w + h)));
  if (n > 0) {
    // Row 0: pixel (x, 0) follows pixel (x - 1, h - 1) in column order; before (0, 0) comes a 0.
    const lastRow = (h - 1) * w;
    for (let x = 0; x < w; x++) {
      const before = x === 0 ? false : data[lastRow + x - 1] !== 0;
      if ((data[x] !== 0) !== before) transitions.push(x, x * h);
    }
    const { rows, stride } = alignedRows(data, w, h);
    const words = new Int32Array(rows.buffer, rows.byteOffset, (stride * h) / 4);
    const rowWords = stride >>> 2;
    for (let k = rowWords; k < words.length; k++) {
      if (words[k] === words[k - rowWords]) continue;
      for (let i = k * 4; i < k * 4 + 4; i++) {
        const y = (i / stride) | 0;
        const x = i - y * stride;
        if (x < w && (rows[i] !== 0) !== (rows[i - stride] !== 0)) transitions.push(x, x * h + y);
      }
    }
  }
  return { height: h, width: w, counts: transitions.toCounts(w, n) };
}

/**
 * The bitmap with every row starting on a 4-byte boundary (a padded copy when the width is not
 * a multiple of 4 or the bytes are misaligned), so rows can be compared as 32-bit words.
 */
function alignedRows(data: Uint8Array, w: number, h: number): { rows: Uint8Array; stride: number } {
  const stride = (w + 3) & ~3;
  if (stride === w && data.byteOffset % 4 === 0) return { rows: data, stride };
  const rows = new Uint8Array(stride * h);
  for (let y = 0; y < h; y++) rows.set(data.subarray(y * w, y * w + w), y * stride);
  return { rows, stride };
}

/** Growable (column, position) pairs, turned into column-ordered run lengths at the end. */
class TransitionList {
  private xs: Uint32Array;
  private ts: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.xs = new Uint32Array(capacity);
    this.ts = new Uint32Array(capacity);
  }

  push(x: number, t: number): void {
    if (this.length === this.xs.length) {
      const xs = new Uint32Array(this.length * 2);
      const ts = new Uint32Array(this.length * 2);
      xs.set(this.xs);
      ts.set(this.ts);
      this.xs = xs;
      this.ts = ts;
    }
    this.xs[this.length] = x;
    this.ts[this.length] = t;
    this.length++;
  }

  toCounts(w: number, n: number): Uint32Array {
    const len = this.length;
    // Stable counting sort by column: within a column the rows were visited top to bottom.
    const start = new Uint32Array(w + 1);
    for (let i = 0; i < len; i++) start[this.xs[i]! + 1]!++;
    for (let x = 0; x < w; x++) start[x + 1]! += start[x]!;
    const sorted = new Uint32Array(len);
    for (let i = 0; i < len; i++) sorted[start[this.xs[i]!]!++] = this.ts[i]!;
    const counts = new Uint32Array(len + 1);
    let prev = 0;
    for (let i = 0; i < len; i++) {
      const t = sorted[i]!;
      counts[i] = t - prev;
      prev = t;
    }
    counts[len] = n - prev;
    return counts;
  }
}

/**
 * Bitmap of runs (checked first: they must sum to height * width). Marks each transition inside
 * a column in the row-major output, sets row 0 from the value each column starts with, then
 * XORs every row into the next: pixel (x, y) differs from (x, y - 1) exactly where a transition
 * was marked.
 */
export function decodeRuns(runs: RleRuns): Bitmap {
  const { height: h, width: w, counts } = runs;
  checkRuns(h, w, counts);
  const n = w * h;
  if (n === 0) return createBitmap(w, h);
  // Rows padded to whole 32-bit words, so the row XOR below runs four pixels at a time.
  const stride = (w + 3) & ~3;
  const out = new Uint8Array(stride * h);
  const columnStart = new Uint8Array(w);
  let t = 0;
  let value = 0;
  let column = 0;
  let nextColumnStart = 0;
  for (let k = 0; k < counts.length; k++) {
    if (k > 0 && t < n) {
      const x = Math.floor(t / h);
      const y = t - x * h;
      if (y !== 0) out[y * stride + x]! ^= 1;
    }
    const end = t + counts[k]!;
    while (nextColumnStart < end) {
      columnStart[column++] = value;
      nextColumnStart += h;
    }
    t = end;
    value ^= 1;
  }
  out.set(columnStart, 0);
  const words = new Int32Array(out.buffer, 0, (stride * h) / 4);
  const rowWords = stride >>> 2;
  for (let i = rowWords; i < words.length; i++) words[i]! ^= words[i - rowWords]!;
  if (stride === w) return bitmapFrom(w, h, out);
  // Close up the row padding in place (rows only move left, so no row is overwritten before it
  // moves). Copying into a second w * h buffer instead tripled the decode time: its fresh pages
  // cost more than the decode itself. The bitmap keeps the spare 3 bytes per row at the end.
  for (let y = 1; y < h; y++) out.copyWithin(y * w, y * stride, y * stride + w);
  return bitmapFrom(w, h, out.subarray(0, n));
}

/** Number of set pixels: the sum of the odd-indexed runs (rleArea). */
export function runsArea(counts: ArrayLike<number>): number {
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
  return area;
}

/**
 * COCO bbox straight from the runs, as rleToBbox in the maintained pycocotools
 * (ppwwyyxx/cocoapi, which pip installs) computes it: each non-empty run of ones contributes
 * its first and last pixel, and a run that wraps into a later column spans the full height.
 * The 2015 original mishandled empty runs of ones (cocodataset/cocoapi PR #477); for RLEs
 * without them both versions agree.
 */
export function runsBbox(runs: RleRuns): BboxXywh {
  const { height: h, width: w, counts } = runs;
  const m = counts.length - (counts.length % 2);
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let found = false;
  for (let j = 0; j < m; j++) {
    const start = cc;
    cc += counts[j]!;
    if (j % 2 === 0 || counts[j] === 0) continue;
    found = true;
    const yStart = start % h;
    const xStart = (start - yStart) / h;
    const yEnd = (cc - 1) % h;
    const xEnd = (cc - 1 - yEnd) / h;
    xs = Math.min(xs, xStart);
    xe = Math.max(xe, xEnd);
    if (xStart < xEnd) {
      ys = 0;
      ye = h - 1;
    } else {
      ys = Math.min(ys, yStart);
      ye = Math.max(ye, yEnd);
    }
  }
  // pycocotools returns [0, 0, 0, 0] only for fewer than two runs; with no set pixel at all it
  // returns [w, h, 1 - w, 1 - h], which no caller wants: an empty mask has an empty box.
  if (!found) return [0, 0, 0, 0];
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

function checkSameSize(a: RleRuns, b: RleRuns, field: string): void {
  if (a.height !== b.height || a.width !== b.width) {
    throw new RleError(
      `${field} has size [${b.height}, ${b.width}] but [${a.height}, ${a.width}] was expected`,
      field,
      [b.height, b.width],
    );
  }
}

/** Union (or intersection) of masks of one size, run by run (rleMerge). */
export function mergeRuns(list: readonly RleRuns[], intersect: boolean): RleRuns {
  if (list.length === 0) throw new RleError('nothing to merge: no masks given', 'masks', 0);
  const first = list[0]!;
  const { height: h, width: w } = first;
  let a: Uint32Array = first.counts;
  for (let i = 1; i < list.length; i++) {
    const b = list[i]!;
    checkSameSize(first, b, `masks[${i}]`);
    a = mergePair(a, b.counts, intersect);
  }
  return { height: h, width: w, counts: a === first.counts ? a.slice() : a };
}

const NO_RUNS: Uint32Array = new Uint32Array(0);

/**
 * Steps through two run lists over the same pixels together, one stretch at a time: a stretch
 * lies inside one run of each list, so both masks are constant over it. This is the loop that
 * maskApi.c's rleMerge and rleIou each carry, kept in one place; stretches are empty where a
 * list has an empty run. After `start(A, B)`, call `next()` until it returns false and read
 * `length`, `inA` and `inB` after each call.
 *
 * One deliberate difference: maskApi.c stops as soon as both current runs are empty, so two
 * lists with an empty run at the same place (which its own encoder never writes, but which
 * parseRle accepts) lose everything after it. This walker stops only at the end of both lists.
 */
class RunPairWalker {
  length = 0;
  inA = false;
  inB = false;
  private A: Uint32Array = NO_RUNS;
  private B: Uint32Array = NO_RUNS;
  private ca = 0;
  private cb = 0;
  private a = 1;
  private b = 1;
  private started = false;

  start(A: Uint32Array, B: Uint32Array): this {
    this.A = A;
    this.B = B;
    this.ca = A[0] ?? 0;
    this.cb = B[0] ?? 0;
    this.a = 1;
    this.b = 1;
    this.inA = false;
    this.inB = false;
    this.length = 0;
    this.started = false;
    return this;
  }

  next(): boolean {
    if (!this.started) {
      this.started = true;
      this.length = Math.min(this.ca, this.cb);
      return true;
    }
    const A = this.A;
    const B = this.B;
    let ca = this.ca - this.length;
    let cb = this.cb - this.length;
    if (ca === 0 && this.a < A.length) {
      ca = A[this.a++]!;
      this.inA = !this.inA;
    }
    if (cb === 0 && this.b < B.length) {
      cb = B[this.b++]!;
      this.inB = !this.inB;
    }
    this.ca = ca;
    this.cb = cb;
    // Evaluated on every step (not only when a run is empty) so that the optimised code never
    // meets these reads for the first time at the end of a walk.
    const endA = this.a >= A.length && ca === 0;
    const endB = this.b >= B.length && cb === 0;
    if (endA || endB) {
      if (!(endA && endB) && ca + cb === 0) {
        // One list has ended, the other still has an empty run to step over.
        this.length = 0;
        return true;
      }
      // Let go of the lists so that the shared walker does not keep them alive.
      this.A = NO_RUNS;
      this.B = NO_RUNS;
      if (endA && endB) return false;
      // maskApi.c would spin forever here; only runs that skipped checkRuns can get here.
      throw new RleError('the two run lists cover different numbers of pixels', 'counts');
    }
    this.length = ca < cb ? ca : cb;
    return true;
  }
}

/**
 * The one walker every walk uses (walks never nest). A walker per call would leave no instance
 * alive at a full GC, which then drops the walker's hidden class and with it the optimised merge
 * and IoU loops: the next calls ran up to five times slower until V8 re-optimised them.
 */
const walker = new RunPairWalker();

/** Union (or intersection) of two run lists (rleMerge): stretches of one value become runs. */
function mergePair(A: Uint32Array, B: Uint32Array, intersect: boolean): Uint32Array {
  // Every stretch but the first starts at a run boundary of A or B: at most this many runs.
  const out = new Uint32Array(A.length + B.length + 1);
  let m = 0;
  const walk = walker.start(A, B);
  let value = false;
  let run = 0;
  while (walk.next()) {
    const v = intersect ? walk.inA && walk.inB : walk.inA || walk.inB;
    if (v !== value) {
      out[m++] = run;
      run = 0;
      value = v;
    }
    run += walk.length;
  }
  out[m++] = run;
  return out.slice(0, m);
}

function bboxIou(d: BboxXywh, g: BboxXywh, crowd: boolean): number {
  const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const i = w * h;
  return i / (crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - i);
}

/**
 * IoU of a detection with a ground truth (rleIou). With `crowd`, the union is the detection's
 * area, as COCO evaluation scores crowd regions.
 */
export function runsIou(dt: RleRuns, gt: RleRuns, crowd = false): number {
  checkSameSize(gt, dt, 'detection');
  if (bboxIou(runsBbox(dt), runsBbox(gt), crowd) <= 0) return 0;
  const walk = walker.start(dt.counts, gt.counts);
  let inter = 0;
  let union = 0;
  while (walk.next()) {
    const { length, inA, inB } = walk;
    if (inA || inB) {
      union += length;
      if (inA && inB) inter += length;
    }
  }
  if (inter === 0) union = 1;
  else if (crowd) union = runsArea(dt.counts);
  return inter / union;
}
