/**
 * Polygons whose vertices are pixel indices, filled as OpenCV's cv2.fillPoly (LINE_8, shift 0)
 * fills them: every edge drawn as an 8-connected line, then each row filled between the edge
 * crossings from ceil(left) to floor(right), the crossings stepped in 16.16 fixed point with a
 * truncated slope. The seed tool wrote its labels from cv2.findContours outlines (boundary
 * pixels, as indices) and showed them with fillPoly, so this is how its masks come back; the
 * test checks the result pixel for pixel against OpenCV itself.
 */
import { createBitmap, type Bitmap, type Size } from '../../geometry/index.js';

const SHIFT = 16;
const ONE = 2 ** SHIFT;

interface Edge {
  y0: number;
  y1: number;
  /** x at row y0, fixed point. */
  x: number;
  /** x step per row, fixed point, truncated toward zero as C integer division does. */
  dx: number;
}

export function fillPixelPolygon(points: readonly number[], size: Size): Bitmap {
  const mask = createBitmap(size.width, size.height);
  const n = points.length / 2;
  const edges: Edge[] = [];
  for (let k = 0; k < n; k++) {
    const j = (k + n - 1) % n;
    const x0 = points[2 * j]!;
    const y0 = points[2 * j + 1]!;
    const x1 = points[2 * k]!;
    const y1 = points[2 * k + 1]!;
    drawLine(mask, x0, y0, x1, y1);
    if (y0 === y1) continue;
    const dx = Math.trunc(((x1 - x0) * ONE) / (y1 - y0));
    edges.push(y0 < y1 ? { y0, y1, x: x0 * ONE, dx } : { y0: y1, y1: y0, x: x1 * ONE, dx });
  }
  fillEdges(mask, edges);
  return mask;
}

/** Even-odd scanline fill over rows y0 <= y < y1 of each edge. */
function fillEdges(mask: Bitmap, edges: readonly Edge[]): void {
  const { width, height, data } = mask;
  if (edges.length < 2) return;
  const top = Math.max(0, Math.min(...edges.map((e) => e.y0)));
  const bottom = Math.min(height, Math.max(...edges.map((e) => e.y1)));
  const xs: number[] = [];
  for (let y = top; y < bottom; y++) {
    xs.length = 0;
    for (const e of edges) if (y >= e.y0 && y < e.y1) xs.push(e.x + (y - e.y0) * e.dx);
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! / ONE));
      const to = Math.min(width - 1, Math.floor(xs[k + 1]! / ONE));
      if (to >= from) data.fill(1, y * width + from, y * width + to + 1);
    }
  }
}

/**
 * OpenCV's 8-connected LineIterator, left to right: one step along the longer axis per pixel,
 * a step along the shorter one whenever the error term is negative before the update.
 */
function drawLine(mask: Bitmap, ax: number, ay: number, bx: number, by: number): void {
  const { width, height, data } = mask;
  if (bx < ax) [ax, ay, bx, by] = [bx, by, ax, ay];
  const dx = bx - ax;
  const sy = by < ay ? -1 : 1;
  const dy = Math.abs(by - ay);
  const steep = dy > dx;
  const major = steep ? dy : dx;
  const minor = steep ? dx : dy;
  let err = major - 2 * minor;
  let x = ax;
  let y = ay;
  for (let i = 0; i <= major; i++) {
    if (x >= 0 && x < width && y >= 0 && y < height) data[y * width + x] = 1;
    const diagonal = err < 0;
    err += -2 * minor + (diagonal ? 2 * major : 0);
    if (steep) {
      y += sy;
      if (diagonal) x++;
    } else {
      x++;
      if (diagonal) y += sy;
    }
  }
}
