import {
  bitmapArea,
  bitmapBbox,
  encodeRuns,
  parseRle,
  runsToCompressed,
  type BboxXywh,
  type BoxCorners,
  type CompressedRle,
  type Size,
} from '../../geometry/index.js';
import { regionOfRuns, uncropRuns } from './rle-region.js';
import { removeSmallRegions } from './small-regions.js';

export interface CleanMask {
  rle: CompressedRle;
  bbox: BboxXywh;
  area: number;
  /** Whether a hole was filled or an island removed. */
  changed: boolean;
}

/**
 * The connected pieces of the picture outside a box (what lies outside the box is background):
 * none when the box is the picture, two strips when it spans a whole side, else one piece.
 */
function outsidePieceSizes(bbox: BboxXywh, size: Size): number[] {
  const [x, y, w, h] = bbox;
  const left = x;
  const right = size.width - x - w;
  const top = y;
  const bottom = size.height - y - h;
  if (left === 0 && right === 0 && top === 0 && bottom === 0) return [];
  if (left === 0 && right === 0)
    return [top * size.width, bottom * size.width].filter((s) => s > 0);
  if (top === 0 && bottom === 0)
    return [left * size.height, right * size.height].filter((s) => s > 0);
  return [size.width * size.height - w * h];
}

/**
 * postprocess_small_regions' per-mask step: fills holes, then removes islands, under `minArea`
 * pixels, as the reference does on the whole picture. The work is done on the mask's box and a
 * 1-pixel ring around it: a background component reaching that ring joins the background outside
 * the box, which is at least `minArea` large unless the box nearly fills the picture; then the
 * whole picture is used instead, so the result is the reference's either way.
 */
export function cleanMask(
  mask: { rle: CompressedRle; bbox: BboxXywh; area: number },
  size: Size,
  minArea: number,
): CleanMask {
  const runs = parseRle(mask.rle);
  const [x, y, w, h] = mask.bbox;
  const outsideIsLarge = outsidePieceSizes(mask.bbox, size).every((s) => s >= minArea);
  const rect: BoxCorners = outsideIsLarge
    ? {
        x0: Math.max(0, x - 1),
        y0: Math.max(0, y - 1),
        x1: Math.min(size.width, x + w + 1),
        y1: Math.min(size.height, y + h + 1),
      }
    : { x0: 0, y0: 0, x1: size.width, y1: size.height };
  const region = regionOfRuns(runs, rect);
  const rectWidth = rect.x1 - rect.x0;
  const outsideBox = (i: number): boolean => {
    const px = rect.x0 + (i % rectWidth);
    const py = rect.y0 + Math.floor(i / rectWidth);
    return px < x || px >= x + w || py < y || py >= y + h;
  };
  const filled = removeSmallRegions(
    region,
    minArea,
    'holes',
    outsideIsLarge ? outsideBox : undefined,
  );
  const trimmed = removeSmallRegions(filled.mask, minArea, 'islands');
  if (!filled.changed && !trimmed.changed) return { ...mask, changed: false };
  const [bx, by, bw, bh] = bitmapBbox(trimmed.mask);
  return {
    rle: runsToCompressed(uncropRuns(encodeRuns(trimmed.mask), { x: rect.x0, y: rect.y0 }, size)),
    bbox: [bx + rect.x0, by + rect.y0, bw, bh],
    area: bitmapArea(trimmed.mask),
    changed: true,
  };
}
