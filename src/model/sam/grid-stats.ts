import { IntList } from './int-list.js';

/** One candidate's logits on a grid that covers the whole original picture. */
export interface LogitGrid {
  width: number;
  height: number;
  /** Row-major cells: all of them, or those of `window`. */
  data: Float32Array;
  /** When only a window of the grid is stored: its first column, first row and width. */
  window?: { left: number; top: number; width: number };
}

/** Inclusive bounds of the cells above 0 (null when none are). */
export interface CellBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Runs of set cells or pixels along each row: row r is set on the columns
 * [spans[2k], spans[2k + 1]) for k from rowStarts[r] to rowStarts[r + 1] - 1; runs are sorted,
 * disjoint and never touch.
 */
export interface RowRuns {
  rowStarts: Int32Array;
  spans: Int32Array;
}

export interface GridStats {
  /** Where the cells are above 0. */
  bounds: CellBounds | null;
  /** SAM's stability score: count(logit > +1) / count(logit > -1). */
  stability: number;
  /** The cells above 0, as row runs over the whole grid. */
  positive: RowRuns;
  /** Whether a cell is +Infinity, which the upsampling cannot decide from signs alone. */
  infinite: boolean;
}

/** Inclusive bounds of row runs (null when there are none). */
function runBounds({ rowStarts, spans }: RowRuns): CellBounds | null {
  // Integers only (not Infinity): V8 then keeps the bounds, and the indices derived from them
  // downstream, as small integers rather than doubles.
  let minX = 2 ** 30;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let r = 0; r < rowStarts.length - 1; r++) {
    const from = rowStarts[r]!;
    const to = rowStarts[r + 1]!;
    if (from === to) continue;
    minX = Math.min(minX, spans[2 * from]!);
    maxX = Math.max(maxX, spans[2 * to - 1]! - 1);
    if (minY < 0) minY = r;
    maxY = r;
  }
  return maxX < 0 ? null : { minX, minY, maxX, maxY };
}

/**
 * GridStats of a grid whose cells are fed row by row, left to right: one at a time, or whole
 * stretches already known to be <= -1 (or NaN: neither counts) or finite and > 1.
 */
export class CellTally {
  private readonly rowStarts: Int32Array;
  private readonly boundaries: IntList;
  private loose = 0;
  private strict = 0;
  private infinite = false;
  /** Whether the last cell fed on this row was above 0. */
  private inside = false;
  private row = 0;

  constructor(
    private readonly width: number,
    height: number,
  ) {
    this.rowStarts = new Int32Array(height + 1);
    this.boundaries = new IntList(4 * height);
  }

  /** Cell `x` of the current row has logit `v`. */
  cell(x: number, v: number): void {
    if (v > -1) {
      this.loose++;
      if (v > 1) {
        this.strict++;
        if (v === Infinity) this.infinite = true;
      }
    }
    if (v > 0 !== this.inside) {
      this.boundaries.push(x);
      this.inside = !this.inside;
    }
  }

  /** Cells from `x` on, up to the next one fed, are <= -1 or NaN. */
  background(x: number): void {
    if (this.inside) this.boundaries.push(x);
    this.inside = false;
  }

  /**
   * Cells [x, end), of which [from, to) are above 0 (none when from === to), `loose` are > -1
   * and `strict` > 1, and `infinite` says whether one is +Infinity.
   */
  cells(
    x: number,
    end: number,
    from: number,
    to: number,
    loose: number,
    strict: number,
    infinite: boolean,
  ): void {
    this.loose += loose;
    this.strict += strict;
    if (infinite) this.infinite = true;
    if (this.inside && (from === to || from > x)) {
      this.boundaries.push(x);
      this.inside = false;
    }
    if (from === to) return;
    if (!this.inside) this.boundaries.push(from);
    this.inside = to === end;
    if (to < end) this.boundaries.push(to);
  }

  /** Cells [x, x + count) are finite and > 1. */
  interior(x: number, count: number): void {
    if (!this.inside) this.boundaries.push(x);
    this.inside = true;
    this.loose += count;
    this.strict += count;
  }

  endRow(): void {
    if (this.inside) this.boundaries.push(this.width);
    this.inside = false;
    this.rowStarts[++this.row] = this.boundaries.length / 2;
  }

  result(): GridStats {
    const positive = { rowStarts: this.rowStarts, spans: this.boundaries.view() };
    return {
      bounds: runBounds(positive),
      stability: this.loose === 0 ? 0 : this.strict / this.loose,
      positive,
      infinite: this.infinite,
    };
  }
}

/**
 * The statistics of one candidate's logits (stability as in segment_anything/utils/amg.py
 * calculate_stability_score with offset 1), in one pass. It reads every cell of every
 * candidate, so it is the one loop here whose cost follows the decoded size: most cells are
 * background (<= -1) or well inside the mask (> 1), and four of them are settled at once.
 */
export function gridStats(grid: LogitGrid): GridStats {
  const { width, height, data } = grid;
  if (grid.window) throw new Error('gridStats needs every cell of the grid, not a window');
  const tally = new CellTally(width, height);
  const quadWidth = width - (width % 4);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const quadEnd = row + quadWidth;
    const rowEnd = row + width;
    let i = row;
    while (i < rowEnd) {
      // Written out twice: a helper function for the test is markedly slower.
      if (
        i < quadEnd &&
        data[i]! <= -1 &&
        data[i + 1]! <= -1 &&
        data[i + 2]! <= -1 &&
        data[i + 3]! <= -1
      ) {
        tally.background(i - row);
        i += 4;
        while (
          i < quadEnd &&
          data[i]! <= -1 &&
          data[i + 1]! <= -1 &&
          data[i + 2]! <= -1 &&
          data[i + 3]! <= -1
        ) {
          i += 4;
        }
        continue;
      }
      // A sum of finite float32 values stays finite: none of the four is +Infinity.
      if (
        i < quadEnd &&
        data[i]! > 1 &&
        data[i + 1]! > 1 &&
        data[i + 2]! > 1 &&
        data[i + 3]! > 1 &&
        data[i]! + data[i + 1]! + data[i + 2]! + data[i + 3]! < Infinity
      ) {
        tally.interior(i - row, 4);
        i += 4;
        continue;
      }
      for (const end = i < quadEnd ? i + 4 : rowEnd; i < end; i++) tally.cell(i - row, data[i]!);
    }
    tally.endRow();
  }
  return tally.result();
}
