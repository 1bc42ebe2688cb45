import { createBitmap, type BboxXywh, type Bitmap, type Size } from '../../geometry/index.js';
import { BilinearRows, outputRange } from './bilinear.js';

/** One candidate's logits on a grid that covers the whole original picture. */
export interface LogitGrid {
  width: number;
  height: number;
  data: Float32Array;
}

/** Inclusive bounds of the cells above 0 (null when none are). */
export interface CellBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** A mask at original size held as a crop around it; outside the crop everything is 0. */
export interface RegionMask {
  left: number;
  top: number;
  /** 1 inside the mask; may have empty margins. 0 x 0 when the mask is empty. */
  bitmap: Bitmap;
  /** COCO bbox of the set pixels in the whole picture ([0,0,0,0] when empty). */
  bbox: BboxXywh;
  area: number;
}

/**
 * Where the logits are above 0, and SAM's stability score count(logit > +1) / count(logit > -1)
 * (segment_anything/utils/amg.py calculate_stability_score with offset 1), in one pass.
 */
export function gridStats(grid: LogitGrid): { bounds: CellBounds | null; stability: number } {
  const { width, height, data } = grid;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let strict = 0;
  let loose = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = data[row + x]!;
      if (v > -1) {
        loose++;
        if (v > 0) {
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          maxY = y;
        }
        if (v > 1) strict++;
      }
    }
  }
  return {
    bounds: maxX < 0 ? null : { minX, minY, maxX, maxY },
    stability: loose === 0 ? 0 : strict / loose,
  };
}

/** Widens [x0, x1) to a multiple of 4 pixels inside [0, limit) when it can (see regionRle). */
function wordAligned([x0, x1]: [number, number], limit: number): [number, number] {
  const missing = (4 - ((x1 - x0) % 4)) % 4;
  const right = Math.min(missing, limit - x1);
  const left = Math.min(missing - right, x0);
  return [x0 - left, x1 + right];
}

const EMPTY: RegionMask = {
  left: 0,
  top: 0,
  bitmap: createBitmap(0, 0),
  bbox: [0, 0, 0, 0],
  area: 0,
};

/**
 * The mask `logits > 0` at original size, with the reference's bilinear resize of the logits
 * (see bilinear.ts), evaluated only over the original pixels whose interpolation reads a
 * positive cell: the rest interpolate non-positive values and are 0 anyway. The cost follows
 * the mask's area (and mostly its outline), not the picture's.
 */
export function upsampleMask(
  grid: LogitGrid,
  bounds: CellBounds | null,
  original: Size,
): RegionMask {
  if (!bounds) return EMPTY;
  const { width, height } = original;
  const [x0, x1] = wordAligned(outputRange(grid.width, width, bounds.minX, bounds.maxX), width);
  const [y0, y1] = outputRange(grid.height, height, bounds.minY, bounds.maxY);
  const regionWidth = x1 - x0;
  const rows = new BilinearRows(
    grid.data,
    grid.width,
    grid.height,
    grid.width / width,
    grid.height / height,
    x0,
    x1,
  );
  const crop = createBitmap(regionWidth, y1 - y0);
  let area = 0;
  let minX = regionWidth;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = y0; y < y1; y++) {
    const row = crop.data.subarray((y - y0) * regionWidth, (y - y0 + 1) * regionWidth);
    const count = rows.rowMask(y, row);
    if (count === 0) continue;
    area += count;
    minX = Math.min(minX, row.indexOf(1));
    maxX = Math.max(maxX, row.lastIndexOf(1));
    if (minY < 0) minY = y;
    maxY = y;
  }
  if (area === 0) return EMPTY;
  return {
    left: x0,
    top: y0,
    bitmap: crop,
    bbox: [x0 + minX, minY, maxX - minX + 1, maxY - minY + 1],
    area,
  };
}
