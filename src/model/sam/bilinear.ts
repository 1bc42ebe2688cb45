/**
 * The bilinear resampling of the SAM references (torch F.interpolate, mode='bilinear',
 * align_corners=False, no antialiasing; ONNX Resize linear/half_pixel): output pixel i reads the
 * source at (i + 0.5) * in / out - 0.5, clamped to the grid. Computed one output row at a time
 * over any rectangle of the output, so a mask is only ever resampled where it can be non-zero.
 */

/** Per output index: the two source indices and the weight of the second. */
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
export function sourcePosition(inSize: number, scale: number, i: number): number {
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

/**
 * Runs of consecutive outputs that read the same two source columns: [start, end, lo, hi] per
 * run (output offsets within the taps, source columns absolute). Between two source columns of
 * the same sign every output of their run has that sign.
 */
export function tapRuns({ lo, hi }: AxisTaps): Int32Array {
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
    this.verticalPass(y);
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
   * Writes, of output row `y`, only the outputs in `stretches` ([start, end) pairs of offsets
   * from x0, sorted, disjoint) into `out` from index `offset`; the others are left as they are.
   */
  stretchesAt(y: number, out: Float32Array, offset: number, stretches: Int32Array): void {
    this.verticalPass(y);
    const { columns, firstColumn } = this;
    const { lo, hi, frac } = this.xTaps;
    for (let s = 0; s < stretches.length; s += 2) {
      for (let i = stretches[s]!; i < stretches[s + 1]!; i++) {
        const f = frac[i]!;
        out[offset + i] =
          columns[lo[i]! - firstColumn]! * (1 - f) + columns[hi[i]! - firstColumn]! * f;
      }
    }
  }

  private verticalPass(y: number): void {
    const { source, sourceWidth, columns, firstColumn } = this;
    const sy = sourcePosition(this.sourceHeight, this.scaleY, y);
    const yLo = Math.floor(sy);
    const yHi = Math.min(yLo + 1, this.sourceHeight - 1);
    const fy = sy - yLo;
    const top = yLo * sourceWidth + firstColumn;
    const bottom = yHi * sourceWidth + firstColumn;
    for (let c = 0; c < columns.length; c++) {
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
