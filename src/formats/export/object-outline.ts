import {
  createBitmap,
  maskToPolygons,
  ringArea,
  runsArea,
  runsBbox,
  type BboxXywh,
  type Bitmap,
  type FlatRing,
  type RleRuns,
} from '../../geometry/index.js';

/** What every format needs of a mask: its tight box and pixel count, read off the runs. */
export interface MaskMeasure {
  /** [x, y, w, h] of the pixel edges around the set pixels; [0, 0, 0, 0] when empty. */
  bbox: BboxXywh;
  area: number;
}

export function measureMask(runs: RleRuns): MaskMeasure {
  return { bbox: runsBbox(runs), area: runsArea(runs.counts) };
}

/** Outer rings of a mask in image pixel coordinates, and whether the mask has holes. */
export interface MaskOutline {
  /** One ring per connected part (>= 3 points, non-zero area), in traceMask's part order. */
  outers: FlatRing[];
  hasHoles: boolean;
}

/**
 * The outline of a mask, traced on the box around it only (an object is usually a small part
 * of its image). Tolerance 0 gives the exact pixel-edge outline.
 */
export function outlineMask(runs: RleRuns, bbox: BboxXywh, tolerance: number): MaskOutline {
  const [x0, y0, w, h] = bbox;
  if (w === 0 || h === 0) return { outers: [], hasHoles: false };
  const parts = maskToPolygons(decodeInBox(runs, bbox), { tolerance });
  const outers: FlatRing[] = [];
  for (const part of parts) {
    if (part.outer.length < 6 || ringArea(part.outer) === 0) continue;
    outers.push(part.outer.map((v, i) => v + (i % 2 === 0 ? x0 : y0)));
  }
  return { outers, hasHoles: parts.some((p) => p.holes.length > 0) };
}

/**
 * The part of a mask inside `box` as a bitmap of the box's size. Walks the column-major runs
 * and writes only the set pixels: the cost follows the object's area, not the image's.
 */
export function decodeInBox(runs: RleRuns, box: BboxXywh): Bitmap {
  const [bx, by, bw, bh] = box;
  const out = createBitmap(bw, bh);
  const { height, counts } = runs;
  const data = out.data;
  let t = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (k % 2 === 1 && c > 0) {
      let pos = t;
      const end = t + c;
      while (pos < end) {
        const x = Math.floor(pos / height);
        const y = pos - x * height;
        const stop = Math.min(height, y + (end - pos));
        const col = x - bx;
        if (col >= 0 && col < bw) {
          for (let row = Math.max(y, by); row < Math.min(stop, by + bh); row++) {
            data[(row - by) * bw + col] = 1;
          }
        }
        pos += stop - y;
      }
    }
    t += c;
  }
  return out;
}
