import { axisRuns, axisTaps } from './bilinear.js';
import { IntList } from './int-list.js';
import type { GridStats, LogitGrid } from './grid-stats.js';
import { Scratch } from './scratch.js';

/** How one run of outputs of a plan is decided. Run indices (>= 0) mean "interpolate it". */
const ALL_OUT = -1;
const ALL_IN = -2;

/** How many of the two source rows of a pair are above 0 on a column. */
const NEITHER = 0;
const BOTH = 2;

/**
 * Working space of the tracers (scratch.ts): they share it, so one is used at a time (each
 * upsampleMask call makes and finishes its own).
 */
const scratch = {
  firstRunReaching: new Scratch((n) => new Int32Array(n)),
  edges: new Scratch((n) => new Int32Array(n)),
  cover: new Scratch((n) => new Uint8Array(n)),
  planStart: new Scratch((n) => new Int32Array(n)),
  planEnd: new Scratch((n) => new Int32Array(n)),
  planKind: new Scratch((n) => new Int32Array(n)),
  planCells: new Scratch((n) => new Float64Array(n)),
};

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
  private edges: Int32Array = scratch.edges.take(64);
  private cover: Uint8Array = scratch.cover.take(64);
  /** The plan of the current pair of source rows: per entry its outputs [start, end) and kind. */
  private readonly planStart: Int32Array;
  private readonly planEnd: Int32Array;
  private readonly planKind: Int32Array;
  /** Per plan entry that interpolates: its two columns' cells on the top and bottom rows. */
  private readonly planCells: Float64Array;
  /** The entries traceRow walks: [planFirst, planLength). */
  private planFirst = 0;
  private planLength = 0;
  /** Where the entries walked end: a last ALL_OUT entry from there on is not walked. */
  private planReach = 0;
  private topRow = 0;
  private bottomRow = 0;
  private readonly spans: IntList;
  private pixels = 0;
  /** Least start and greatest end of the runs found so far, as offsets from x0 (integers). */
  private minStart = 2 ** 30;
  private maxEnd = -1;

  constructor(
    grid: LogitGrid,
    private readonly stats: GridStats,
    scaleX: number,
    private readonly x0: number,
    private readonly x1: number,
    /** How many output rows will be traced: a blob has one run on most of them. */
    rows: number,
  ) {
    this.spans = new IntList(2 * rows + 64);
    this.source = grid.data;
    const window = grid.window ?? { left: 0, top: 0, width: grid.width };
    this.stride = window.width;
    this.origin = window.top * window.width + window.left;
    const taps = axisTaps(grid.width, scaleX, x0, x1);
    this.frac = taps.frac;
    this.runs = axisRuns(grid.width, scaleX, x0, x1);
    this.runCount = this.runs.length / 4;
    const n = x1 - x0;
    this.firstColumn = n > 0 ? taps.lo[0]! : 0;
    this.lastColumn = n > 0 ? taps.hi[n - 1]! : -1;
    this.firstRunReaching = scratch.firstRunReaching.take(this.lastColumn - this.firstColumn + 1);
    for (let c = this.firstColumn, k = 0; c <= this.lastColumn; c++) {
      while (this.runs[4 * k + 3]! < c) k++;
      this.firstRunReaching[c - this.firstColumn] = k;
    }
    this.planStart = scratch.planStart.take(this.runCount);
    this.planEnd = scratch.planEnd.take(this.runCount);
    this.planKind = scratch.planKind.take(this.runCount);
    this.planCells = scratch.planCells.take(4 * this.runCount);
  }

  /** Pixels in the runs found so far. */
  get area(): number {
    return this.pixels;
  }

  /** The picture columns [from, to) that the runs found so far span (to <= from when none). */
  get columns(): [number, number] {
    return [this.x0 + this.minStart, this.x0 + this.maxEnd];
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
    const { runs, edges, cover, planStart, planEnd, planKind, planCells, firstColumn, lastColumn } =
      this;
    const { source, topRow, bottomRow } = this;
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
        planCells[4 * length] = source[topRow + lo]!;
        planCells[4 * length + 1] = source[bottomRow + lo]!;
        planCells[4 * length + 2] = source[topRow + hi]!;
        planCells[4 * length + 3] = source[bottomRow + hi]!;
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
    // Rows start outside, and a last ALL_OUT entry only closes the run open at its start:
    // neither needs walking on every output row.
    this.planFirst = length > 0 && planKind[0] === ALL_OUT ? 1 : 0;
    const trailing = length > this.planFirst && planKind[length - 1] === ALL_OUT;
    this.planLength = trailing ? length - 1 : length;
    this.planReach = trailing ? planStart[length - 1]! : this.x1 - this.x0;
  }

  /** Appends the runs of the output row with vertical weight `fy` of the planned pair. */
  traceRow(fy: number): void {
    const { planCells, frac, planStart, planEnd, planKind } = this;
    let open = -1;
    for (let e = this.planFirst; e < this.planLength; e++) {
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
      const a = planCells[4 * e]! * (1 - fy) + planCells[4 * e + 1]! * fy;
      const b = planCells[4 * e + 2]! * (1 - fy) + planCells[4 * e + 3]! * fy;
      if (a > 0 && b > 0) {
        if (open < 0) open = start;
        continue;
      }
      if (a <= 0 && b <= 0) {
        if (open >= 0) this.push(open, start);
        open = -1;
        continue;
      }
      // One of a and b is above 0 and the other is not (or one is NaN). Along the run (f only
      // grows) a * (1 - f) and b * f then move the same way, and rounding keeps the order, so
      // a * (1 - f) + b * f crosses 0 at most once; a NaN, or an infinity times f = 0, makes
      // it NaN on all outputs or on the first ones. So the outputs above 0 are a prefix of
      // the run when a is above 0, a suffix when b is: counting them needs no branch per
      // output, which costs less than one mispredicted at the crossing.
      const end = planEnd[e]!;
      let above = 0;
      for (let i = start; i < end; i++) {
        const f = frac[i]!;
        above += +(a * (1 - f) + b * f > 0);
      }
      if (above === end - start) {
        if (open < 0) open = start;
      } else if (above === 0) {
        if (open >= 0) this.push(open, start);
        open = -1;
      } else if (a > 0) {
        if (open < 0) open = start;
        this.push(open, start + above);
        open = -1;
      } else {
        if (open >= 0) this.push(open, start);
        open = end - above;
      }
    }
    if (open >= 0) this.push(open, this.planReach);
  }

  /** The runs found, as picture columns (start, end) pairs; the tracer is done after this. */
  takeSpans(): Int32Array {
    return this.spans.view();
  }

  private push(start: number, end: number): void {
    this.spans.push(this.x0 + start);
    this.spans.push(this.x0 + end);
    this.pixels += end - start;
    if (start < this.minStart) this.minStart = start;
    if (end > this.maxEnd) this.maxEnd = end;
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
      this.edges = scratch.edges.take(iEnd - i + jEnd - j);
      this.cover = scratch.cover.take(iEnd - i + jEnd - j);
    }
    const { edges, cover } = this;
    let count = 0;
    let covered = 0;
    while (i < iEnd || j < jEnd) {
      const x = i >= iEnd ? spans[j]! : j >= jEnd ? spans[i]! : Math.min(spans[i]!, spans[j]!);
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
