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
const CLICK_SAMPLE_REACH = 1;

function clickedColour(lab: Uint8Array, frame: Frame, points: WorkingPoint[]): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (const p of points) {
    if (!p.positive) continue;
    const centre = cellAt(frame, p.x, p.y);
    const col0 = centre % frame.cols;
    const row0 = Math.floor(centre / frame.cols);
    for (let r = row0 - CLICK_SAMPLE_REACH; r <= row0 + CLICK_SAMPLE_REACH; r++) {
      for (let c = col0 - CLICK_SAMPLE_REACH; c <= col0 + CLICK_SAMPLE_REACH; c++) {
        if (r < 0 || c < 0 || r >= frame.rows || c >= frame.cols) continue;
        for (let k = 0; k < 3; k++) sum[k]! += lab[(r * frame.cols + c) * 3 + k]!;
        n++;
      }
    }
  }
  return sum.map((s) => s / Math.max(1, n));
}

/** The ring one pixel in from the frame's edge (where clickMarkers paints the border). */
function innerRing(frame: Frame): number[] {
  const { cols, rows } = frame;
  const ring: number[] = [];
  if (cols < 3 || rows < 3) return ring;
  for (let c = 1; c < cols - 1; c++) ring.push(cols + c, (rows - 2) * cols + c);
  for (let r = 2; r < rows - 2; r++) ring.push(r * cols + 1, r * cols + cols - 2);
  return ring;
}

/**
 * Unmarks the border background markers that look like the clicked object: an object that fills
 * the picture runs off it, and its own fur or surface on the border would otherwise flood in as
 * background and shut the object's region in around the click. The border pixels least like the
 * click always stay background, so the flood still has something to meet.
 */
export function releaseObjectColouredBorder(
  markers: Int32Array,
  lab: Uint8Array,
  frame: Frame,
  points: WorkingPoint[],
): void {
  if (!points.some((p) => p.positive)) return;
  const colour = clickedColour(lab, frame, points);
  const ring = innerRing(frame).filter((i) => markers[i] === MARK.BACKGROUND);
  if (ring.length === 0) return;
  const distance = ring.map((i) =>
    Math.hypot(
      lab[i * 3]! - colour[0]!,
      lab[i * 3 + 1]! - colour[1]!,
      lab[i * 3 + 2]! - colour[2]!,
    ),
  );
  const sorted = Float64Array.from(distance).sort();
  const keptFrom = sorted[Math.floor((1 - KEPT_BORDER_SHARE) * (sorted.length - 1))]!;
  const limit = Math.min(OBJECT_COLOUR_DISTANCE, keptFrom);
  ring.forEach((at, k) => {
    if (distance[k]! < limit) markers[at] = MARK.UNKNOWN;
  });
}
