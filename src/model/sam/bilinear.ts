/**
 * The bilinear resampling of the SAM references (torch F.interpolate, mode='bilinear',
 * align_corners=False, no antialiasing; ONNX Resize linear/half_pixel): output pixel i reads the
 * source at (i + 0.5) * in / out - 0.5, clamped to the grid. Computed one output row at a time
 * over any rectangle of the output, so a mask is only ever resampled where it can be non-zero.
 */

/**
 * Per output index: the two source indices and the weight of the second. Read only: axisTaps
 * hands out views of taps it keeps for later calls.
 */
export interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

/**
 * Taps of output indices [start, end) when `inSize` source cells stretch over `outSize` output
 * cells, i.e. a scale of in / out source cells per output cell. `scale` may be given apart
 * from the sizes (a crop of a larger upsample keeps the scale of the whole).
 */
export function axisTaps(inSize: number, scale: number, start: number, end: number): AxisTaps {
  if (start < 0 || end <= start) return computeTaps(inSize, scale, start, end);
  const { lo, hi, frac } = wholeAxis(inSize, scale, end).taps;
  return {
    lo: lo.subarray(start, end),
    hi: hi.subarray(start, end),
    frac: frac.subarray(start, end),
  };
}

/**
 * Runs of consecutive outputs of [start, end) that read the same two source columns:
 * [start, end, lo, hi] per run (output offsets from `start`, source columns absolute). Between
 * two source columns of the same sign every output of their run has that sign.
 */
export function axisRuns(inSize: number, scale: number, start: number, end: number): Int32Array {
  if (start < 0 || end <= start) return tapRuns(computeTaps(inSize, scale, start, end));
  const { runs } = wholeAxis(inSize, scale, end);
  const first = firstIndex(0, runs.length / 4, (k) => runs[4 * k + 1]! > start);
  const last = firstIndex(first, runs.length / 4, (k) => runs[4 * k]! >= end);
  const out = new Int32Array(4 * (last - first));
  for (let k = first; k < last; k++) {
    const at = 4 * (k - first);
    out[at] = Math.max(runs[4 * k]!, start) - start;
    out[at + 1] = Math.min(runs[4 * k + 1]!, end) - start;
    out[at + 2] = runs[4 * k + 2]!;
    out[at + 3] = runs[4 * k + 3]!;
  }
  return out;
}

interface WholeAxis {
  /** Of outputs [0, n), n at least the largest end asked for. */
  taps: AxisTaps;
  runs: Int32Array;
}

/**
 * The axes asked for last, whole: the candidates of a click, and the clicks on one picture,
 * read the same few axes (over other ranges), so each is computed once rather than per call.
 */
const AXES_KEPT = 8;
const wholeAxes = new Map<string, WholeAxis>();

function wholeAxis(inSize: number, scale: number, end: number): WholeAxis {
  const key = `${inSize} ${scale}`;
  let axis = wholeAxes.get(key);
  wholeAxes.delete(key);
  if (!axis || axis.taps.lo.length < end) {
    const taps = computeTaps(inSize, scale, 0, Math.max(end, 2 * (axis?.taps.lo.length ?? 0)));
    axis = { taps, runs: tapRuns(taps) };
  }
  // Map keeps insertion order: the first key is the one used longest ago.
  wholeAxes.set(key, axis);
  if (wholeAxes.size > AXES_KEPT) wholeAxes.delete(wholeAxes.keys().next().value!);
  return axis;
}

function computeTaps(inSize: number, scale: number, start: number, end: number): AxisTaps {
  const n = Math.max(0, end - start);
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const frac = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = sourcePosition(inSize, scale, start + i);
    const l = Math.floor(s);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inSize - 1);
    frac[i] = s - l;
  }
  return { lo, hi, frac };
}

/** Where output index `i` reads the source, clamped to the grid. */
function sourcePosition(inSize: number, scale: number, i: number): number {
  return Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
}

/**
 * The output range [start, end) whose taps touch source cells [srcLo, srcHi]: everything else
 * interpolates only cells outside it. Taps are monotonic, so both ends are binary searches.
 */
export function outputRange(
  inSize: number,
  outSize: number,
  srcLo: number,
  srcHi: number,
): [number, number] {
  const scale = inSize / outSize;
  const lo = (i: number): number => Math.floor(sourcePosition(inSize, scale, i));
  const start = firstIndex(0, outSize, (i) => Math.min(lo(i) + 1, inSize - 1) >= srcLo);
  const end = firstIndex(start, outSize, (i) => lo(i) > srcHi);
  return [start, end];
}

/** The first i in [from, to) where `holds` (monotonic: false, then true) is true, else `to`. */
function firstIndex(from: number, to: number, holds: (i: number) => boolean): number {
  while (from < to) {
    const mid = (from + to) >>> 1;
    if (holds(mid)) to = mid;
    else from = mid + 1;
  }
  return from;
}

/** Runs of `taps` as axisRuns gives them (offsets within the taps). */
function tapRuns({ lo, hi }: AxisTaps): Int32Array {
  const runs: number[] = [];
  for (let i = 0; i < lo.length;) {
    let end = i + 1;
    while (end < lo.length && lo[end] === lo[i]) end++;
    runs.push(i, end, lo[i]!, hi[i]!);
    i = end;
  }
  return Int32Array.from(runs);
}

/** A source grid (row-major float32) read as resampled rows over output columns [x0, x1). */
export class BilinearRows {
  private readonly xTaps: AxisTaps;
  private readonly firstColumn: number;
  /** The current output row interpolated vertically, over the source columns the taps read. */
  private readonly columns: Float64Array;

  constructor(
    private readonly source: Float32Array,
    private readonly sourceWidth: number,
    private readonly sourceHeight: number,
    scaleX: number,
    private readonly scaleY: number,
    x0: number,
    x1: number,
  ) {
    this.xTaps = axisTaps(sourceWidth, scaleX, x0, x1);
    const n = x1 - x0;
    const { lo, hi } = this.xTaps;
    this.firstColumn = n > 0 ? lo[0]! : 0;
    const lastColumn = n > 0 ? hi[n - 1]! : -1;
    this.columns = new Float64Array(Math.max(0, lastColumn - this.firstColumn + 1));
  }

  /** Fills `out` (length x1 - x0) with output row `y`. */
  row(y: number, out: Float32Array): void {
    this.rowAt(y, out, 0);
  }

  /** Writes output row `y` into `out` from index `offset` (x1 - x0 values). */
  rowAt(y: number, out: Float32Array, offset: number): void {
    this.verticalPass(y, 0, this.columns.length);
    const { columns, firstColumn } = this;
    const { lo, hi, frac } = this.xTaps;
    const n = frac.length;
    for (let i = 0; i < n; i++) {
      const f = frac[i]!;
      out[offset + i] =
        columns[lo[i]! - firstColumn]! * (1 - f) + columns[hi[i]! - firstColumn]! * f;
    }
  }

  /**
   * Writes, of output row `y`, only the outputs in the first `count` numbers of `stretches`
   * ([start, end) pairs of offsets from x0, sorted, disjoint) into `out` from index `offset`;
   * the others are left as they are.
   */
  stretchesAt(
    y: number,
    out: Float32Array,
    offset: number,
    stretches: Int32Array,
    count: number,
  ): void {
    const { columns, firstColumn } = this;
    const { lo, hi, frac } = this.xTaps;
    for (let s = 0; s < count; s += 2) {
      // Only the columns this stretch reads: stretches are narrow bands along the outline.
      const from = lo[stretches[s]!]! - firstColumn;
      this.verticalPass(y, from, hi[stretches[s + 1]! - 1]! - firstColumn + 1);
      for (let i = stretches[s]!; i < stretches[s + 1]!; i++) {
        const f = frac[i]!;
        out[offset + i] =
          columns[lo[i]! - firstColumn]! * (1 - f) + columns[hi[i]! - firstColumn]! * f;
      }
    }
  }

  /** Interpolates output row `y` vertically on columns [from, to) of this.columns. */
  private verticalPass(y: number, from: number, to: number): void {
    const { source, sourceWidth, columns, firstColumn } = this;
    const sy = sourcePosition(this.sourceHeight, this.scaleY, y);
    const yLo = Math.floor(sy);
    const yHi = Math.min(yLo + 1, this.sourceHeight - 1);
    const fy = sy - yLo;
    const top = yLo * sourceWidth + firstColumn;
    const bottom = yHi * sourceWidth + firstColumn;
    for (let c = from; c < to; c++) {
      columns[c] = source[top + c]! * (1 - fy) + source[bottom + c]! * fy;
    }
  }
}

/** Resamples a whole source grid to `outWidth` x `outHeight` (or the top-left part of it). */
export function resampleGrid(
  source: Float32Array,
  sourceWidth: number,
  sourceHeight: number,
  scaleX: number,
  scaleY: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const rows = new BilinearRows(source, sourceWidth, sourceHeight, scaleX, scaleY, 0, outWidth);
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) rows.row(y, out.subarray(y * outWidth, (y + 1) * outWidth));
  return out;
}
