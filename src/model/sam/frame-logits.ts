import type { Size } from '../../geometry/index.js';
import { BilinearRows, axisTaps, sourcePosition, tapRuns } from './bilinear.js';
import { CellTally, type GridStats, type LogitGrid } from './grid-stats.js';

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
  for (let y = 0; y < height; y++) rows.rowAt(top + y, data, y * width);
  return { grid: { ...frame, data, window: { left, top, width } }, stats };
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
  for (let y = 0; y < frame.height; y++) {
    const sy = sourcePosition(height, scale, y);
    const yLo = Math.floor(sy);
    const fy = sy - yLo;
    const top = yLo * width;
    const bottom = Math.min(yLo + 1, height - 1) * width;
    if (yLo !== pairRow) {
      pairRow = yLo;
      planLength = 0;
      for (let r = 0; r < runs.length; r += 4) {
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
