import type { CellBounds, LogitGrid } from '../sam/logit-mask.js';

/** What the filters of "segment everything" read of one candidate's logits. */
export interface LogitSummary {
  /** SAM's stability score: count(logit > +1) / count(logit > -1) (0 when nothing is > -1). */
  stability: number;
  /** Inclusive bounds of the cells above 0; null when none are. */
  bounds: CellBounds | null;
}

/**
 * Stability and extent of a candidate in one pass, nothing else: this runs on every candidate
 * whose predicted IoU passed, so it is the loop of the grid whose cost follows the picture's
 * size. Most cells are background (<= -1) or well inside (> 1), settled four at a time. The same
 * numbers as gridStats (sam/), which also traces the mask's row runs for building it: that costs
 * ~30% more, for every candidate, where only the few kept ones need it.
 */
export function summarizeLogits(grid: LogitGrid): LogitSummary {
  const { width, height, data } = grid;
  const quads = width - (width % 4);
  let strict = 0;
  let loose = 0;
  // The rows and columns holding cells above 0 (top < 0 while there is none).
  let left = width;
  let right = -1;
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (x < quads && (x & 3) === 0) {
        const a = data[i]!;
        const b = data[i + 1]!;
        const c = data[i + 2]!;
        const d = data[i + 3]!;
        if (a <= -1 && b <= -1 && c <= -1 && d <= -1) {
          x += 3;
          continue;
        }
        if (a > 1 && b > 1 && c > 1 && d > 1) {
          loose += 4;
          strict += 4;
          if (first < 0) first = x;
          last = x + 3;
          x += 3;
          continue;
        }
      }
      const v = data[i]!;
      if (v > -1) {
        loose++;
        if (v > 1) strict++;
        if (v > 0) {
          if (first < 0) first = x;
          last = x;
        }
      }
    }
    if (first >= 0) {
      left = Math.min(left, first);
      right = Math.max(right, last);
      if (top < 0) top = y;
      bottom = y;
    }
  }
  return {
    stability: loose === 0 ? 0 : strict / loose,
    bounds: top < 0 ? null : { minX: left, minY: top, maxX: right, maxY: bottom },
  };
}
