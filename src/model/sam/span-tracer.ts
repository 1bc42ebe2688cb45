import { axisTaps, tapRuns } from './bilinear.js';
import { IntList } from './int-list.js';
import type { GridStats, LogitGrid } from './grid-stats.js';

/** How one run of outputs of a plan is decided. Run indices (>= 0) mean "interpolate it". */
const ALL_OUT = -1;
const ALL_IN = -2;

/** How many of the two source rows of a pair are above 0 on a column. */
const NEITHER = 0;
const BOTH = 2;

/**
 * The runs of `resample(source) > 0` along output rows over output columns [x0, x1), exactly
 * as thresholding bilinear.ts's rows would give them, without interpolating most outputs.
 *
 * Output rows that read the same pair of source rows share a plan. A source column whose two
 * cells are both finite and > 0 interpolates > 0 at any vertical weight (a sum of non-negative
 * products, one of them positive); one with neither cell > 0 never does (<= 0, or NaN, which
 * compares false); and a run of outputs between two columns of one such kind is of that kind
 * too. The plan finds these stretches from the row runs of positive cells (gridStats), so it
 * costs the number of sign changes, not the width; each output row then only interpolates the
 * runs next to a change of sign, with the same floating-point expressions as BilinearRows
 * (vertical first, in doubles), so the cost follows the mask's outline.
 */
export class SpanTracer {
  private readonly source: Float32Array;
  /** Cell (x, y) of the grid is source[y * stride - origin + x] (see LogitGrid.window). */
  private readonly stride: number;
  private readonly origin: number;
  private readonly frac: Float64Array;
  private readonly runs: Int32Array;
  private readonly runCount: number;
  private readonly firstColumn: number;
  private readonly lastColumn: number;
  /** Per source column from firstColumn: the first run whose second column is at or after it. */
  private readonly firstRunReaching: Int32Array;
  /** Coverage of the current pair: from edges[i] on, cover[i] of its rows are above 0. */
  private edges: Int32Array;
  private cover: Uint8Array;
  /** The plan of the current pair of source rows: per entry its outputs [start, end) and kind. */
  private readonly planStart: Int32Array;
  private readonly planEnd: Int32Array;
  private readonly planKind: Int32Array;
  private planLength = 0;
  private topRow = 0;
  private bottomRow = 0;
  private readonly spans = new IntList(256);

  constructor(
    grid: LogitGrid,
    private readonly stats: GridStats,
    scaleX: number,
    private readonly x0: number,
    private readonly x1: number,
  ) {
    this.source = grid.data;
    const window = grid.window ?? { left: 0, top: 0, width: grid.width };
    this.stride = window.width;
    this.origin = window.top * window.width + window.left;
    const taps = axisTaps(grid.width, scaleX, x0, x1);
    this.frac = taps.frac;
    this.runs = tapRuns(taps);
    this.runCount = this.runs.length / 4;
    const n = x1 - x0;
    this.firstColumn = n > 0 ? taps.lo[0]! : 0;
    this.lastColumn = n > 0 ? taps.hi[n - 1]! : -1;
    this.firstRunReaching = new Int32Array(Math.max(0, this.lastColumn - this.firstColumn + 1));
    for (let c = this.firstColumn, k = 0; c <= this.lastColumn; c++) {
      while (this.runs[4 * k + 3]! < c) k++;
      this.firstRunReaching[c - this.firstColumn] = k;
    }
    this.edges = new Int32Array(64);
    this.cover = new Uint8Array(64);
    this.planStart = new Int32Array(this.runCount);
    this.planEnd = new Int32Array(this.runCount);
    this.planKind = new Int32Array(this.runCount);
  }

  /** Runs found so far, all rows together. */
  get spanCount(): number {
    return this.spans.length / 2;
  }

  /** Prepares the output rows that read source rows `yLo` (weight 1 - fy) and `yHi` (fy). */
  plan(yLo: number, yHi: number): void {
    this.topRow = yLo * this.stride - this.origin;
    this.bottomRow = yHi * this.stride - this.origin;
    const edgeCount = this.coverage(yLo, yHi);
    const { runs, edges, cover, planStart, planEnd, planKind, firstColumn, lastColumn } = this;
    // +Infinity cells are not "finite and > 0": their columns are interpolated.
    const knownIn = this.stats.infinite ? -1 : BOTH;
    let length = 0;
    let atLo = -1;
    let atHi = -1;
    for (let k = 0; k < this.runCount;) {
      const lo = runs[4 * k + 2]!;
      const hi = runs[4 * k + 3]!;
      while (atLo + 1 < edgeCount && edges[atLo + 1]! <= lo) atLo++;
      while (atHi + 1 < edgeCount && edges[atHi + 1]! <= hi) atHi++;
      const coverLo = atLo < 0 ? NEITHER : cover[atLo]!;
      const coverHi = atHi < 0 ? NEITHER : cover[atHi]!;
      if (coverLo !== coverHi || (coverLo !== NEITHER && coverLo !== knownIn)) {
        planStart[length] = runs[4 * k]!;
        planEnd[length] = runs[4 * k + 1]!;
        planKind[length++] = k++;
        continue;
      }
      // Every run up to the next change of coverage reads columns of this kind only.
      const stretchEnd = atHi + 1 < edgeCount ? edges[atHi + 1]! : lastColumn + 1;
      const next =
        stretchEnd > lastColumn ? this.runCount : this.firstRunReaching[stretchEnd - firstColumn]!;
      const kind = coverLo === NEITHER ? ALL_OUT : ALL_IN;
      if (length > 0 && planKind[length - 1] === kind) {
        planEnd[length - 1] = runs[4 * (next - 1) + 1]!;
      } else {
        planStart[length] = runs[4 * k]!;
        planEnd[length] = runs[4 * (next - 1) + 1]!;
        planKind[length++] = kind;
      }
      k = next;
    }
    this.planLength = length;
  }

  /** Appends the runs of the output row with vertical weight `fy` of the planned pair. */
  traceRow(fy: number): void {
    const { source, runs, frac, planStart, planEnd, planKind, topRow, bottomRow } = this;
    let open = -1;
    for (let e = 0; e < this.planLength; e++) {
      const kind = planKind[e]!;
      const start = planStart[e]!;
      if (kind === ALL_OUT) {
        if (open >= 0) this.push(open, start);
        open = -1;
        continue;
      }
      if (kind === ALL_IN) {
        if (open < 0) open = start;
        continue;
      }
      const lo = runs[4 * kind + 2]!;
      const hi = runs[4 * kind + 3]!;
      const a = source[topRow + lo]! * (1 - fy) + source[bottomRow + lo]! * fy;
      const b = source[topRow + hi]! * (1 - fy) + source[bottomRow + hi]! * fy;
      if (a > 0 && b > 0) {
        if (open < 0) open = start;
        continue;
      }
      if (a <= 0 && b <= 0) {
        if (open >= 0) this.push(open, start);
        open = -1;
        continue;
      }
      const end = planEnd[e]!;
      for (let i = start; i < end; i++) {
        const f = frac[i]!;
        if (a * (1 - f) + b * f > 0) {
          if (open < 0) open = i;
        } else if (open >= 0) {
          this.push(open, i);
          open = -1;
        }
      }
    }
    if (open >= 0) this.push(open, this.x1 - this.x0);
  }

  /** The runs found, as picture columns (start, end) pairs; the tracer is done after this. */
  takeSpans(): Int32Array {
    return this.spans.view();
  }

  private push(start: number, end: number): void {
    this.spans.push(this.x0 + start);
    this.spans.push(this.x0 + end);
  }

  /**
   * Merges the positive runs of source rows yLo and yHi into this.edges / this.cover (only
   * where the count of rows above 0 changes); returns how many edges there are.
   */
  private coverage(yLo: number, yHi: number): number {
    const { rowStarts, spans } = this.stats.positive;
    let i = 2 * rowStarts[yLo]!;
    const iEnd = 2 * rowStarts[yLo + 1]!;
    let j = 2 * rowStarts[yHi]!;
    const jEnd = 2 * rowStarts[yHi + 1]!;
    if (this.edges.length < iEnd - i + jEnd - j) {
      this.edges = new Int32Array(2 * (iEnd - i + jEnd - j));
      this.cover = new Uint8Array(this.edges.length);
    }
    const { edges, cover } = this;
    let count = 0;
    let covered = 0;
    while (i < iEnd || j < jEnd) {
      const x = Math.min(i < iEnd ? spans[i]! : Infinity, j < jEnd ? spans[j]! : Infinity);
      // Even indices start a run, odd ones end it (rows start on even indices).
      for (; i < iEnd && spans[i] === x; i++) covered += i % 2 === 0 ? 1 : -1;
      for (; j < jEnd && spans[j] === x; j++) covered += j % 2 === 0 ? 1 : -1;
      if (covered === (count > 0 ? cover[count - 1]! : NEITHER)) continue;
      edges[count] = x;
      cover[count++] = covered;
    }
    return count;
  }
}
