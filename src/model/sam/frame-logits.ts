import type { Size } from '../../geometry/index.js';
import { BilinearRows, axisTaps, sourcePosition, tapRuns } from './bilinear.js';
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
      rows.stretchesAt(top + y, data, y * width, stretches.merged());
    }
  }
  return { grid: { ...frame, data, window: { left, top, width } }, stats };
}

/**
 * Adds the columns of frame row `y` that upsampleMask can read: SpanTracer interpolates only
 * where the sign changes along one of a pair of neighbouring rows, or differs between them, and
 * reads the two cells of each such column pair. So, padded by one column: the run ends of rows
 * y - 1, y and y + 1, and where row y differs from either neighbour. Elsewhere the window is not
 * filled. (+Infinity cells make the tracer read more; the whole window is filled then.)
 */
function readableStretches(out: Stretches, positive: RowRuns, y: number, rows: number): void {
  const { rowStarts, spans } = positive;
  out.clear();
  const ownFrom = 2 * rowStarts[y]!;
  const ownTo = 2 * rowStarts[y + 1]!;
  for (let r = Math.max(0, y - 1); r <= Math.min(rows - 1, y + 1); r++) {
    const from = 2 * rowStarts[r]!;
    const to = 2 * rowStarts[r + 1]!;
    for (let k = from; k < to; k++) out.add(spans[k]! - 1, spans[k]! + 1);
    if (r === y) continue;
    // Where exactly one of rows y and r is above 0.
    let i = ownFrom;
    let j = from;
    let inOwn = false;
    let inOther = false;
    let openAt = -1;
    while (i < ownTo || j < to) {
      const x = Math.min(i < ownTo ? spans[i]! : Infinity, j < to ? spans[j]! : Infinity);
      if (i < ownTo && spans[i] === x) {
        inOwn = !inOwn;
        i++;
      }
      if (j < to && spans[j] === x) {
        inOther = !inOther;
        j++;
      }
      if (inOwn !== inOther) {
        if (openAt < 0) openAt = x;
      } else if (openAt >= 0) {
        out.add(openAt - 1, x + 1);
        openAt = -1;
      }
    }
  }
}

/** Column stretches of one window row, collected in any order and merged (reused row to row). */
class Stretches {
  private pairs = new Int32Array(64);
  private length = 0;

  constructor(
    private readonly left: number,
    private readonly width: number,
  ) {}

  clear(): void {
    this.length = 0;
  }

  /** Columns [from, to) of the frame, clamped to the window; kept sorted by start. */
  add(from: number, to: number): void {
    const a = Math.max(from, this.left) - this.left;
    const b = Math.min(to, this.left + this.width) - this.left;
    if (a >= b) return;
    if (this.length + 2 > this.pairs.length) {
      const grown = new Int32Array(2 * this.pairs.length);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    const { pairs } = this;
    let k = this.length;
    while (k > 0 && pairs[k - 2]! > a) {
      pairs[k] = pairs[k - 2]!;
      pairs[k + 1] = pairs[k - 1]!;
      k -= 2;
    }
    pairs[k] = a;
    pairs[k + 1] = b;
    this.length += 2;
  }

  /** The stretches merged where they overlap or touch, as [start, end) offsets. */
  merged(): Int32Array {
    const { pairs } = this;
    let n = 0;
    for (let k = 0; k < this.length; k += 2) {
      if (n > 0 && pairs[k]! <= pairs[n - 1]!) {
        pairs[n - 1] = Math.max(pairs[n - 1]!, pairs[k + 1]!);
      } else {
        pairs[n] = pairs[k]!;
        pairs[n + 1] = pairs[k + 1]!;
        n += 2;
      }
    }
    return pairs.subarray(0, n);
  }
}

function finiteAboveOne(v: number): boolean {
  return v > 1 && v < Infinity;
}

function frameStats(lowRes: LogitGrid, scale: number, frame: Size): GridStats {
  const { width, height, data } = lowRes;
  const taps = axisTaps(width, scale, 0, frame.width);
  const { frac } = taps;
  const runs = tapRuns(taps);
  const tally = new CellTally(frame.width, frame.height);
  // Per pair of low-res rows: stretches of frame columns [start, end) and how they are decided
  // (BACKGROUND, INTERIOR, or the index of the run of taps to interpolate).
  const planStart = new Int32Array(runs.length / 4);
  const planEnd = new Int32Array(runs.length / 4);
  const planKind = new Int32Array(runs.length / 4);
  let planLength = 0;
  let pairRow = -1;
  const reach = rowReach(lowRes);
  for (let y = 0; y < frame.height; y++) {
    const sy = sourcePosition(height, scale, y);
    const yLo = Math.floor(sy);
    const fy = sy - yLo;
    const top = yLo * width;
    const bottom = Math.min(yLo + 1, height - 1) * width;
    if (yLo !== pairRow) {
      pairRow = yLo;
      planLength = 0;
      // Only the tap runs that read a column of the pair's reach can be other than background.
      const yHi = Math.min(yLo + 1, height - 1);
      const from = Math.min(reach.first[yLo]!, reach.first[yHi]!);
      const to = Math.max(reach.last[yLo]!, reach.last[yHi]!);
      let r = 0;
      let rEnd = runs.length;
      if (to < 0) {
        rEnd = 0;
      } else {
        while (r < runs.length && runs[r + 3]! < from) r += 4;
        while (rEnd > r && runs[rEnd - 2]! > to) rEnd -= 4;
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
      for (let i = start; i < planEnd[e]!; i++) {
        tally.cell(i, Math.fround(a * (1 - frac[i]!) + b * frac[i]!));
      }
    }
    tally.endRow();
  }
  return tally.result();
}

/**
 * Per low-res row, the first and last column whose logit is > -1 (width and -1 when none is):
 * outside them every cell is <= -1 or NaN, so any frame cell read from there is background.
 */
function rowReach({ width, height, data }: LogitGrid): { first: Int32Array; last: Int32Array } {
  const first = new Int32Array(height).fill(width);
  const last = new Int32Array(height).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width && !(data[row + x]! > -1)) x++;
    if (x === width) continue;
    first[y] = x;
    let end = width - 1;
    while (!(data[row + end]! > -1)) end--;
    last[y] = end;
  }
  return { first, last };
}
