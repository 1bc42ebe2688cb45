import type { BboxXywh, Size } from '../../geometry/index.js';
import { axisTaps, outputRange } from './bilinear.js';
import type { GridStats, LogitGrid, RowRuns } from './grid-stats.js';
import { SpanTracer } from './span-tracer.js';

// Where they were first defined; other modules import them from here.
export {
  gridStats,
  type CellBounds,
  type GridStats,
  type LogitGrid,
  type RowRuns,
} from './grid-stats.js';

/**
 * A mask at original size as row runs (picture columns, rows from `top`): far smaller than its
 * bitmap, which is only made when a caller asks for it (regionBitmap).
 */
export interface RegionMask extends RowRuns {
  /** The picture row that rowStarts[0] describes. */
  top: number;
  /** COCO bbox of the set pixels in the whole picture ([0,0,0,0] when empty). */
  bbox: BboxXywh;
  area: number;
}

const EMPTY_REGION: RegionMask = {
  top: 0,
  rowStarts: new Int32Array(1),
  spans: new Int32Array(0),
  bbox: [0, 0, 0, 0],
  area: 0,
};

/**
 * The mask `logits > 0` at original size, with the reference's bilinear resize of the logits
 * (see bilinear.ts), as row runs. Only the original pixels whose interpolation reads a positive
 * cell are considered (the rest interpolate non-positive values and are 0 anyway), and within
 * them only those near a change of sign are interpolated (span-tracer.ts): the cost follows the
 * mask's outline, not its area or the picture's.
 */
export function upsampleMask(grid: LogitGrid, stats: GridStats, original: Size): RegionMask {
  const { bounds } = stats;
  if (!bounds) return EMPTY_REGION;
  const { width, height } = original;
  const [x0, x1] = outputRange(grid.width, width, bounds.minX, bounds.maxX);
  const [y0, y1] = outputRange(grid.height, height, bounds.minY, bounds.maxY);
  const tracer = new SpanTracer(grid, stats, grid.width / width, x0, x1, y1 - y0);
  const rowStarts = new Int32Array(y1 - y0 + 1);
  const rowTaps = axisTaps(grid.height, grid.height / height, y0, y1);
  let pairRow = -1;
  // The first and last output rows with a run, for the bbox.
  let firstRow = -1;
  let lastRow = -1;
  for (let y = y0; y < y1; y++) {
    // The vertical taps of bilinear.ts: rows yLo and yLo + 1 (clamped), weight fy on the second.
    const yLo = rowTaps.lo[y - y0]!;
    if (yLo !== pairRow) {
      tracer.plan(yLo, rowTaps.hi[y - y0]!);
      pairRow = yLo;
    }
    tracer.traceRow(rowTaps.frac[y - y0]!);
    const count = tracer.spanCount;
    if (count > rowStarts[y - y0]!) {
      if (firstRow < 0) firstRow = y;
      lastRow = y;
    }
    rowStarts[y - y0 + 1] = count;
  }
  if (firstRow < 0) return EMPTY_REGION;
  const [minX, end] = tracer.columns;
  return {
    rowStarts,
    spans: tracer.takeSpans(),
    top: y0,
    bbox: [minX, firstRow, end - minX, lastRow - firstRow + 1],
    area: tracer.area,
  };
}
