import type { Frame } from './frame.js';
import { cellAt } from './frame.js';
import type { WorkingPoint } from './prompt.js';
import { MARK } from './watershed.js';

/**
 * Border pixels closer than this to the clicked colour (Euclidean, 8-bit Lab) are taken for the
 * object running off the picture rather than background.
 */
const OBJECT_COLOUR_DISTANCE = 24;
/** However alike the border is to the click, this share (the least alike) stays background. */
const KEPT_BORDER_SHARE = 0.25;
/** The clicked colour is the mean over this many frame pixels either side of each click. */
export const CLICK_SAMPLE_REACH = 1;

function clickedColour(
  lab: Uint8Array,
  frame: Frame,
  points: WorkingPoint[],
  reach: number,
): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (const p of points) {
    if (!p.positive) continue;
    const centre = cellAt(frame, p.x, p.y);
    const col0 = centre % frame.cols;
    const row0 = Math.floor(centre / frame.cols);
    for (let r = row0 - reach; r <= row0 + reach; r++) {
      for (let c = col0 - reach; c <= col0 + reach; c++) {
        if (r < 0 || c < 0 || r >= frame.rows || c >= frame.cols) continue;
        for (let k = 0; k < 3; k++) sum[k]! += lab[(r * frame.cols + c) * 3 + k]!;
        n++;
      }
    }
  }
  return sum.map((s) => s / Math.max(1, n));
}

/** The ring `inset` pixels in from the frame's edge. */
function ring(frame: Frame, inset: number): number[] {
  const { cols, rows } = frame;
  const cells: number[] = [];
  if (cols < 2 * inset + 1 || rows < 2 * inset + 1) return cells;
  const last = { col: cols - 1 - inset, row: rows - 1 - inset };
  for (let c = inset; c <= last.col; c++) cells.push(inset * cols + c, last.row * cols + c);
  for (let r = inset + 1; r < last.row; r++) cells.push(r * cols + inset, r * cols + last.col);
  return cells;
}

export interface BorderOptions {
  /** Which ring: this many pixels in from the frame's edge. */
  inset: number;
  /** Border pixels closer than this to the clicked colour (Euclidean, 8-bit Lab) are object. */
  objectDistance: number;
  /** The clicked colour is the mean over this many frame pixels either side of each click. */
  sampleReach: number;
}

/**
 * The pixels of the frame's border ring that do not look like the clicked object: an object that
 * fills the picture runs off it, and its own fur or surface on the border is no background
 * sample. The border pixels least like the click (KEPT_BORDER_SHARE) are always kept, so that
 * there is something to call background.
 */
export function borderUnlikeClicks(
  lab: Uint8Array,
  frame: Frame,
  points: WorkingPoint[],
  options: BorderOptions,
): number[] {
  const cells = ring(frame, options.inset);
  if (!points.some((p) => p.positive) || cells.length === 0) return cells;
  const colour = clickedColour(lab, frame, points, options.sampleReach);
  const distance = cells.map((i) =>
    Math.hypot(
      lab[i * 3]! - colour[0]!,
      lab[i * 3 + 1]! - colour[1]!,
      lab[i * 3 + 2]! - colour[2]!,
    ),
  );
  const sorted = Float64Array.from(distance).sort();
  const keptFrom = sorted[Math.floor((1 - KEPT_BORDER_SHARE) * (sorted.length - 1))]!;
  const limit = Math.min(options.objectDistance, keptFrom);
  return cells.filter((_, k) => distance[k]! >= limit);
}

/**
 * Unmarks the border background markers (one pixel in, where clickMarkers paints them) that
 * look like the clicked object, so that the watershed flood from the border does not shut the
 * object's region in around the click.
 */
export function releaseObjectColouredBorder(
  markers: Int32Array,
  lab: Uint8Array,
  frame: Frame,
  points: WorkingPoint[],
): void {
  const kept = new Set(
    borderUnlikeClicks(lab, frame, points, {
      inset: 1,
      objectDistance: OBJECT_COLOUR_DISTANCE,
      sampleReach: CLICK_SAMPLE_REACH,
    }),
  );
  for (const at of ring(frame, 1)) {
    if (markers[at] === MARK.BACKGROUND && !kept.has(at)) markers[at] = MARK.UNKNOWN;
  }
}
