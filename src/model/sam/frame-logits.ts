import type { Size } from '../../geometry/index.js';
import { BilinearRows, axisRuns, axisTaps } from './bilinear.js';
import { Scratch } from './scratch.js';
import { CellTally, type GridStats, type LogitGrid, type RowRuns } from './grid-stats.js';

/** How a block of frame cells between the same four low-res cells is decided. */
const BACKGROUND = -1;
const INTERIOR = -2;

/**
 * EdgeSAM's low-res logits over the picture's part of the 1024 frame (SamOnnxModel's
 * mask_postprocessing up to its crop), as resampleGrid gives them (float32), with their
 * gridStats, without resampling the whole frame.
 *
 * The statistics go by blocks of frame cells that read the same four low-res cells: when all
 * four are <= -1 (or NaN) no cell of the block is > -1, and when all four are finite and > 1
 * every cell is > 1 (a convex combination rounded to float32 stays on its side of -1 and 1);
 * only the blocks between are interpolated cell by cell. Of the grid only a window is kept: the
 * cells above 0 and one cell around them, which is all upsampleMask reads of it (with no cell
 * above 0, none).
 */
export function frameLogits(
  lowRes: LogitGrid,
  scale: number,
  frame: Size,
): { grid: LogitGrid; stats: GridStats } {
  const stats = frameStats(lowRes, scale, frame);
  if (!stats.bounds) {
    return {
      grid: { ...frame, data: new Float32Array(0), window: { left: 0, top: 0, width: 0 } },
      stats,
    };
  }
  const { minX, minY, maxX, maxY } = stats.bounds;
  const left = Math.max(0, minX - 1);
  const top = Math.max(0, minY - 1);
  const width = Math.min(frame.width, maxX + 2) - left;
  const height = Math.min(frame.height, maxY + 2) - top;
  const data = new Float32Array(width * height);
  const rows = new BilinearRows(
    lowRes.data,
    lowRes.width,
    lowRes.height,
    scale,
    scale,
    left,
    left + width,
  );
  if (stats.infinite) {
    for (let y = 0; y < height; y++) rows.rowAt(top + y, data, y * width);
  } else {
    const stretches = new Stretches(left, width);
    for (let y = 0; y < height; y++) {
      readableStretches(stretches, stats.positive, top + y, frame.height);
      rows.stretchesAt(top + y, data, y * width, stretches.offsets, stretches.length);
    }
  }
  return { grid: { ...frame, data, window: { left, top, width } }, stats };
}

/**
 * The columns of frame row `y` that upsampleMask can read, into `out`. SpanTracer interpolates
 * only where the sign changes along one of a pair of neighbouring rows, or differs between
 * them, and reads the two cells of each such column pair. So, padded by one column: the run
 * ends of rows y - 1, y and y + 1, and where row y differs from either neighbour. Elsewhere the
 * window is not filled. (+Infinity cells make the tracer read more; the whole window is filled
 * then.) One walk through the three rows' run ends in order, so the stretches come sorted.
 */
function readableStretches(out: Stretches, positive: RowRuns, y: number, rows: number): void {
  const { rowStarts, spans } = positive;
  out.clear();
  // Run ends of rows y - 1, y and y + 1 still to visit: [i, iEnd) and so on.
  let i = y > 0 ? 2 * rowStarts[y - 1]! : 0;
  const iEnd = y > 0 ? 2 * rowStarts[y]! : 0;
  let j = 2 * rowStarts[y]!;
  const jEnd = 2 * rowStarts[y + 1]!;
  let k = y + 1 < rows ? 2 * rowStarts[y + 1]! : 0;
  const kEnd = y + 1 < rows ? 2 * rowStarts[y + 2]! : 0;
  // Whether rows y - 1, y and y + 1 are above 0 from the last run end visited on; a missing
  // neighbour follows row y, so it never differs from it.
  let above = false;
  let aboveBefore = false;
  let aboveAfter = false;
  let differs = false;
  let last = 0;
  while (i < iEnd || j < jEnd || k < kEnd) {
    let x = i < iEnd ? spans[i]! : 2 ** 30;
    if (j < jEnd && spans[j]! < x) x = spans[j]!;
    if (k < kEnd && spans[k]! < x) x = spans[k]!;
    // Row y differed from a neighbour since the last run end.
    if (differs) out.add(last - 1, x + 1);
    // Runs never touch, so each row has x at most once.
    if (i < iEnd && spans[i] === x) {
      aboveBefore = !aboveBefore;
      i++;
    }
    if (j < jEnd && spans[j] === x) {
      above = !above;
      if (y === 0) aboveBefore = above;
      if (y + 1 >= rows) aboveAfter = above;
      j++;
    }
    if (k < kEnd && spans[k] === x) {
      aboveAfter = !aboveAfter;
      k++;
    }
    differs = above !== aboveBefore || above !== aboveAfter;
    out.add(x - 1, x + 1);
    last = x;
  }
}

/**
 * Column stretches of one window row, added in order of their starts and merged as they come
 * (the object is reused row to row).
 */
class Stretches {
  private pairs = new Int32Array(64);
  length = 0;

  constructor(
    private readonly left: number,
    private readonly width: number,
  ) {}

  /** The stretches as [start, end) offsets from the window's left (the first `length`). */
  get offsets(): Int32Array {
    return this.pairs;
  }

  clear(): void {
    this.length = 0;
  }

  /** Frame columns [from, to), clamped to the window; `from` is at least the last one's. */
  add(from: number, to: number): void {
    const a = Math.max(from, this.left) - this.left;
    const b = Math.min(to, this.left + this.width) - this.left;
    if (a >= b) return;
    const n = this.length;
    if (n > 0 && a <= this.pairs[n - 1]!) {
      if (b > this.pairs[n - 1]!) this.pairs[n - 1] = b;
      return;
    }
    if (n + 2 > this.pairs.length) {
      const grown = new Int32Array(2 * this.pairs.length);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[n] = a;
    this.pairs[n + 1] = b;
    this.length = n + 2;
  }
}

function finiteAboveOne(v: number): boolean {
  return v > 1 && v < Infinity;
}

const planStartScratch = new Scratch((n) => new Int32Array(n));
const planEndScratch = new Scratch((n) => new Int32Array(n));
const planKindScratch = new Scratch((n) => new Int32Array(n));

function frameStats(lowRes: LogitGrid, scale: number, frame: Size): GridStats {
  const { width, height, data } = lowRes;
  const { frac } = axisTaps(width, scale, 0, frame.width);
  const runs = axisRuns(width, scale, 0, frame.width);
  const tally = new CellTally(frame.width, frame.height);
  // Per pair of low-res rows: stretches of frame columns [start, end) and how they are decided
  // (BACKGROUND, INTERIOR, or the index of the run of taps to interpolate).
  const runCount = runs.length / 4;
  const planStart = planStartScratch.take(runCount);
  const planEnd = planEndScratch.take(runCount);
  const planKind = planKindScratch.take(runCount);
  let planLength = 0;
  let pairRow = -1;
  const rowTaps = axisTaps(height, scale, 0, frame.height);
  const rows = frame.height > 0 ? rowTaps.hi[frame.height - 1]! + 1 : 0;
  const reach = rowReach(lowRes, rows, runCount > 0 ? runs[4 * runCount - 1]! + 1 : 0);
  for (let y = 0; y < frame.height; y++) {
    const yLo = rowTaps.lo[y]!;
    const yHi = rowTaps.hi[y]!;
    const fy = rowTaps.frac[y]!;
    const top = yLo * width;
    const bottom = yHi * width;
    if (yLo !== pairRow) {
      pairRow = yLo;
      planLength = 0;
      // Only the tap runs that read a column of the pair's reach can be other than background.
      const from = Math.min(reach.first[yLo]!, reach.first[yHi]!);
      const to = Math.max(reach.last[yLo]!, reach.last[yHi]!);
      let r = 0;
      let rEnd = 0;
      if (to >= 0) {
        r = 4 * firstRunAfter(runs, 0, 3, from - 1);
        rEnd = 4 * firstRunAfter(runs, r / 4, 2, to);
      }
      if (r > 0 || rEnd === 0) {
        planStart[0] = 0;
        planEnd[0] = rEnd === 0 ? frame.width : runs[r - 3]!;
        planKind[planLength++] = BACKGROUND;
      }
      for (; r < rEnd; r += 4) {
        const a = data[top + runs[r + 2]!]!;
        const b = data[top + runs[r + 3]!]!;
        const c = data[bottom + runs[r + 2]!]!;
        const d = data[bottom + runs[r + 3]!]!;
        const kind =
          !(a > -1) && !(b > -1) && !(c > -1) && !(d > -1)
            ? BACKGROUND
            : finiteAboveOne(a) && finiteAboveOne(b) && finiteAboveOne(c) && finiteAboveOne(d)
              ? INTERIOR
              : r / 4;
        if (kind < 0 && planLength > 0 && planKind[planLength - 1] === kind) {
          planEnd[planLength - 1] = runs[r + 1]!;
          continue;
        }
        planStart[planLength] = runs[r]!;
        planEnd[planLength] = runs[r + 1]!;
        planKind[planLength++] = kind;
      }
      if (rEnd > 0 && rEnd < runs.length) {
        if (planKind[planLength - 1] === BACKGROUND) {
          planEnd[planLength - 1] = frame.width;
        } else {
          planStart[planLength] = runs[rEnd]!;
          planEnd[planLength] = frame.width;
          planKind[planLength++] = BACKGROUND;
        }
      }
    }
    for (let e = 0; e < planLength; e++) {
      const kind = planKind[e]!;
      const start = planStart[e]!;
      if (kind === BACKGROUND) {
        tally.background(start);
        continue;
      }
      if (kind === INTERIOR) {
        tally.interior(start, planEnd[e]! - start);
        continue;
      }
      // BilinearRows' arithmetic, stored as float32 as resampleGrid stores it.
      const lo = runs[4 * kind + 2]!;
      const hi = runs[4 * kind + 3]!;
      const a = data[top + lo]! * (1 - fy) + data[bottom + lo]! * fy;
      const b = data[top + hi]! * (1 - fy) + data[bottom + hi]! * fy;
      const end = planEnd[e]!;
      // Counted without a branch per cell. Where the cells above 0 are is only needed when
      // there are some but not all: then, with a above 0 and b not (or the reverse), they are
      // a prefix (a suffix) of the run, as in SpanTracer.traceRow (Math.fround keeps the
      // order). With both above 0 some cells can still round to 0: those go cell by cell.
      let loose = 0;
      let strict = 0;
      let above = 0;
      let infinite = 0;
      for (let i = start; i < end; i++) {
        const v = Math.fround(a * (1 - frac[i]!) + b * frac[i]!);
        loose += +(v > -1);
        strict += +(v > 1);
        above += +(v > 0);
        infinite |= +(v === Infinity);
      }
      if (above === 0 || above === end - start || (a > 0 && !(b > 0))) {
        tally.cells(start, end, start, start + above, loose, strict, infinite === 1);
      } else if (b > 0 && !(a > 0)) {
        tally.cells(start, end, end - above, end, loose, strict, infinite === 1);
      } else {
        for (let i = start; i < end; i++) {
          tally.cell(i, Math.fround(a * (1 - frac[i]!) + b * frac[i]!));
        }
      }
    }
    tally.endRow();
  }
  return tally.result();
}

/**
 * The first run from run `from` whose column `field` (2: lo, 3: hi; as axisRuns gives them) is
 * above `column`, else the run count: a binary search, as both columns only grow run to run.
 */
function firstRunAfter(runs: Int32Array, from: number, field: number, column: number): number {
  let to = runs.length / 4;
  while (from < to) {
    const mid = (from + to) >>> 1;
    if (runs[4 * mid + field]! > column) to = mid;
    else from = mid + 1;
  }
  return from;
}

const firstScratch = new Scratch((n) => new Int32Array(n));
const lastScratch = new Scratch((n) => new Int32Array(n));

/**
 * Per low-res row of [0, rows), the first and last column of [0, columns) whose logit is > -1
 * (`columns` and -1 when none is): outside them every cell is <= -1 or NaN, so any frame cell
 * read from there is background. The frame's taps read no other cells: the low-res grid's last
 * rows (or columns) lie under the padding of the 1024 frame, beyond the picture.
 */
function rowReach(
  { width, data }: LogitGrid,
  rows: number,
  columns: number,
): { first: Int32Array; last: Int32Array } {
  const first = firstScratch.take(rows);
  const last = lastScratch.take(rows);
  for (let y = 0; y < rows; y++) {
    const row = y * width;
    first[y] = columns;
    last[y] = -1;
    let x = 0;
    // Eight cells a test (twice as fast as one by one): most rows of a click's logits are
    // background from end to end, so this loop reads most of the grid.
    for (; x + 8 <= columns; x += 8) {
      const i = row + x;
      if (
        data[i]! > -1 ||
        data[i + 1]! > -1 ||
        data[i + 2]! > -1 ||
        data[i + 3]! > -1 ||
        data[i + 4]! > -1 ||
        data[i + 5]! > -1 ||
        data[i + 6]! > -1 ||
        data[i + 7]! > -1
      ) {
        break;
      }
    }
    while (x < columns && !(data[row + x]! > -1)) x++;
    if (x === columns) continue;
    first[y] = x;
    let end = columns - 1;
    while (!(data[row + end]! > -1)) end--;
    last[y] = end;
  }
  return { first, last };
}
