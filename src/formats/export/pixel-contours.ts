import type { Bitmap, FlatRing } from '../../geometry/index.js';

/**
 * The outer contours of a mask as cv2.findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)
 * returns them: the integer indices of boundary pixels (not the pixel edges traceMask follows),
 * traced by Suzuki-Abe border following with OpenCV's start point, direction and neighbour
 * order, keeping only the pixels where the chain turns. Parts are 8-connected; a part inside a
 * hole of another is left out (filling the outer contour covers it); a one-pixel part gives one
 * point and a straight one-pixel-wide part two. The order is OpenCV's: the part found last in
 * row-major order comes first. Checked point for point against OpenCV in the test.
 *
 * cv2.fillPoly of such a contour paints its outline pixels as well as the inside, so it gives
 * back exactly the part with its holes filled.
 */
export function pixelOutline(mask: Bitmap, offsetX = 0, offsetY = 0): PixelOutline {
  const { width, height } = mask;
  // One pixel of background around the mask, as OpenCV pads it, so no neighbour falls outside.
  const stride = width + 2;
  const cells = new Uint8Array(stride * (height + 2));
  for (let y = 0; y < height; y++) {
    cells.set(mask.data.subarray(y * width, (y + 1) * width), (y + 1) * stride + 1);
  }
  for (let i = 0; i < cells.length; i++) if (cells[i]) cells[i] = FOREGROUND;
  const hasHoles = markOutside(cells, stride);
  const steps = neighbourSteps(stride);
  const contours: FlatRing[] = [];
  for (let y = 1; y <= height; y++) {
    for (let i = y * stride + 1, end = i + width; i < end; i++) {
      // Everything not outside now belongs to a filled part, so a foreground cell after an
      // outside one that no trace has visited starts the outer border of a new part.
      if (cells[i] === FOREGROUND && cells[i - 1] === OUTSIDE) {
        const x = i - y * stride;
        contours.push(followBorder(cells, steps, i, x - 1 + offsetX, y - 1 + offsetY));
      }
    }
  }
  return { contours: contours.reverse(), hasHoles };
}

export interface PixelOutline {
  /** Flat [x0, y0, x1, y1, ...] pixel indices, one contour per part not inside another. */
  contours: FlatRing[];
  /** Whether the mask has holes (background, or parts in it, enclosed by a part). */
  hasHoles: boolean;
}

const OUTSIDE = 0;
/** Background not reachable from the frame (a hole): counts as foreground, as a fill makes it. */
const HOLE = 1;
const FOREGROUND = 2;
const VISITED = 3;

/** x and y of OpenCV's chain code directions 0..7: east, north-east, north, ... (y down). */
const CODE_X = Int8Array.of(1, 1, 0, -1, -1, -1, 0, 1);
const CODE_Y = Int8Array.of(0, -1, -1, -1, 0, 1, 1, 1);

function neighbourSteps(stride: number): Int32Array {
  const steps = new Int32Array(16);
  for (let s = 0; s < 16; s++) steps[s] = CODE_X[s & 7]! + CODE_Y[s & 7]! * stride;
  return steps;
}

/**
 * Marks background 4-connected to the frame as OUTSIDE and every other background cell as
 * HOLE: holes and the parts inside them then belong to the part around them. Returns whether
 * there was any hole.
 */
function markOutside(cells: Uint8Array, stride: number): boolean {
  let background = 0;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] === OUTSIDE) {
      cells[i] = HOLE;
      background++;
    }
  }
  const stack: number[] = [0];
  cells[0] = OUTSIDE;
  let outside = 1;
  const last = cells.length;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % stride;
    if (x > 0) visit(i - 1);
    if (x < stride - 1) visit(i + 1);
    if (i >= stride) visit(i - stride);
    if (i + stride < last) visit(i + stride);
  }
  return outside < background;

  function visit(j: number): void {
    if (cells[j] === HOLE) {
      cells[j] = OUTSIDE;
      stack.push(j);
      outside++;
    }
  }
}

/**
 * OpenCV's icvFetchContour for an outer border with CHAIN_APPROX_SIMPLE: from the start cell,
 * look clockwise (from west) for the last border cell, then walk the border turning
 * counter-clockwise around each cell, writing a point wherever the direction changes.
 */
function followBorder(
  cells: Uint8Array,
  steps: Int32Array,
  start: number,
  startX: number,
  startY: number,
): FlatRing {
  const points: number[] = [];
  let s = 4;
  let before = start;
  do {
    s = (s - 1) & 7;
    before = start + steps[s]!;
  } while (cells[before] === OUTSIDE && s !== 4);
  if (s === 4) {
    cells[start] = VISITED;
    return [startX, startY];
  }
  let x = startX;
  let y = startY;
  let previous = s ^ 4;
  let here = start;
  for (;;) {
    const from = s;
    let next: number;
    do {
      s++;
      next = here + steps[s]!;
    } while (cells[next] === OUTSIDE && s < from + 8);
    s &= 7;
    cells[here] = VISITED;
    if (s !== previous) {
      points.push(x, y);
      previous = s;
    }
    x += CODE_X[s]!;
    y += CODE_Y[s]!;
    if (next === start && here === before) break;
    here = next;
    s = (s + 4) & 7;
  }
  return points;
}
